/**
 * A bench's size, so that CI can run every bench small (`npm run bench:smoke`)
 * and a person can run it at full size: the bench's argument at `position`
 * (counted after the script's path), else the environment variable `name`,
 * else its default. A size that is not a positive whole number stops the
 * bench before it starts, rather than measuring nothing.
 */
export function benchSize(position, name, fallback) {
  const given = process.argv[1 + position] ?? process.env[name];
  if (given === undefined || given === '') return fallback;
  const size = Number(given);
  if (!Number.isInteger(size) || size < 1) {
    console.error(`${given} is not a size: give a positive whole number (argument ${position} or $${name})`);
    process.exit(2);
  }
  return size;
}
