/** Reading `doctor`'s human report in tests, whatever its wrapping. */

/**
 * The report with each check (and each fix) on one line again: the report
 * wraps long texts under their mark, indented six columns.
 */
export function unwrapReport(text: string): string {
  return text.replace(/\n {6}(?!fix: )/g, " ");
}
