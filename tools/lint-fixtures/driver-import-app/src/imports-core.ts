// Lint fixture: the allowed way, through the transport-neutral port.
import { MessagingError } from '@tessera/messaging';

export const error = new MessagingError('UNAVAILABLE', 'fixture', true);
