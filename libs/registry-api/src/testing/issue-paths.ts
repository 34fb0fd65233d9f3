import type { z } from 'zod';

/**
 * Test helper (not exported from the lib): the paths of all issues of a failed parse, joined with
 * `/`; unknown members are reported as `<path>/<member>`.
 */
export function issuePaths(result: { error?: z.ZodError }): string[] {
  return (result.error?.issues ?? []).flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => [...issue.path, key].join('/'))
      : [issue.path.join('/')],
  );
}
