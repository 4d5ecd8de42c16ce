/**
 * "Did you mean": the one value of a closed vocabulary (channel, subject…)
 * that a misspelt one was most likely meant to be, as commander suggests a
 * flag. Close means a few letters apart (a third of the word's length, at
 * least one), or the start of just one value; otherwise there is no guess.
 */

/** Letters inserted, removed, changed or swapped with the next (optimal string alignment): "agnet" is one from "agent". */
export function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j]!, before[j - 2]! + 1);
    }
    before = previous;
    previous = row;
  }
  return previous[b.length]!;
}

/** The value `input` was probably meant to be, compared without case or surrounding spaces; undefined when none is close, or two are equally so. */
export function nearestValue(input: string, values: readonly string[]): string | undefined {
  const typed = input.trim().toLowerCase();
  if (typed === '') return undefined;
  const scored = values
    .map((value) => ({ value, d: editDistance(typed, value.toLowerCase()) }))
    .sort((a, b) => a.d - b.d);
  const [best, second] = scored;
  if (best && best.d <= Math.max(1, Math.floor(best.value.length / 3)) && second?.d !== best.d) return best.value;
  const starting = typed.length >= 3 ? values.filter((v) => v.toLowerCase().startsWith(typed)) : [];
  return starting.length === 1 ? starting[0] : undefined;
}
