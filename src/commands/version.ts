/** This cis-contact's version, from its package.json: printed by --version and sent to a server in application_name. */

import { createRequire } from 'node:module';

export const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
