export function InstantMatch() {
  return null
}
