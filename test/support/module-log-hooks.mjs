/** Module hooks for module-log.mjs: each module's URL, as it is loaded, appended to $MODULE_LOG. */

import { appendFileSync } from 'node:fs';

export async function load(url, context, nextLoad) {
  const loaded = await nextLoad(url, context);
  appendFileSync(process.env.MODULE_LOG, `${url}\n`);
  return loaded;
}
