import { checkIdentityTemplate, IDENTITY_TEMPLATE_PLACEHOLDERS } from './identity-template';

describe(checkIdentityTemplate.name, () => {
  it.each([
    'device-{{subject-dn}}',
    '{{subject-cn}}',
    '{{subject-o}}.{{subject-ou}}.{{subject-cn}}',
    'prefix-{{subject-cn}}-suffix',
  ])('accepts %s', (template) => {
    expect(checkIdentityTemplate(template)).toBeUndefined();
  });

  it('requires at least one placeholder', () => {
    expect(checkIdentityTemplate('device-1')).toMatch(/at least one placeholder/);
  });

  it.each(['{{subject-l}}', '{{subject-cn}}-{{device-id}}', '{{SUBJECT-CN}}', '{{}}'])(
    'rejects unsupported placeholders in %s',
    (template) => {
      expect(checkIdentityTemplate(template)).toMatch(/unsupported placeholders/);
    },
  );

  it('supports exactly the four subject placeholders', () => {
    expect(IDENTITY_TEMPLATE_PLACEHOLDERS).toEqual([
      '{{subject-dn}}',
      '{{subject-cn}}',
      '{{subject-ou}}',
      '{{subject-o}}',
    ]);
  });
});
