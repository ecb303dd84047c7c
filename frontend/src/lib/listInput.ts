// Markdown list continuation as common editors do it. CodeMirror's markdown keymap already
// continues a list on Enter, ends it on Enter in an empty item and removes an empty marker on
// Backspace; what it lacks is forgiving the habit of typing the marker again on the new line.

const DOUBLED = /^(\s*)(?:[-*+]|\d{1,9}[.)]) ([-*+]|\d{1,9}[.)])$/

/**
 * The line to keep when a space is typed after `before` (the line up to the cursor, nothing
 * after it): an auto-continued marker followed by a typed marker collapses into the typed one,
 * so "- " + "- " stays "- " and "2. " + "- " becomes "- ". Null when nothing is to collapse.
 */
export function collapseTypedMarker(before: string): string | null {
  const match = DOUBLED.exec(before)
  return match ? `${match[1]}${match[2]} ` : null
}
