import { describe, it } from 'vitest';
import { SERVER_URL } from '../support/targets.js';
import { storageSuite } from './storage-suite.js';

if (SERVER_URL) storageSuite('postgres');
// Without DATABASE_URL this leg has nothing to run against; .ci/run always sets it.
else describe('storage on postgres', () => it.skip('needs DATABASE_URL', () => {}));
