import { NotFoundException } from '@nestjs/common';

import { ClientError, ResourceConflictError, ServerError } from '@tessera/registry-api';

import { httpErrorOf } from './http-error.filter';

describe(httpErrorOf.name, () => {
  it('keeps the status of status-coded errors', () => {
    expect(httpErrorOf(new ClientError(400, 'X', 'bad id'))).toEqual({
      status: 400,
      message: 'bad id',
    });
    expect(httpErrorOf(new ResourceConflictError('X', 'changed', { status: 412 })).status).toBe(
      412,
    );
    expect(httpErrorOf(new ServerError(503, 'X', 'down')).status).toBe(503);
  });

  it('maps body parser failures to 400, 413 and 415', () => {
    expect(httpErrorOf({ type: 'entity.parse.failed', status: 400 }).status).toBe(400);
    expect(httpErrorOf({ type: 'entity.too.large', status: 413 }).status).toBe(413);
    expect(httpErrorOf({ type: 'charset.unsupported', status: 415 }).status).toBe(415);
  });

  it('hides the details of unexpected errors', () => {
    expect(httpErrorOf(new Error('password=hunter2'))).toEqual({
      status: 500,
      message: 'internal error',
    });
    expect(httpErrorOf(new NotFoundException()).status).toBe(404);
  });
});
