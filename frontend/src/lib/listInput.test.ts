import { describe, expect, it } from 'vitest'
import { collapseTypedMarker } from './listInput'

describe('collapseTypedMarker', () => {
  it('keeps one bullet when the bullet is typed again on a continued line', () => {
    expect(collapseTypedMarker('- -')).toBe('- ')
    expect(collapseTypedMarker('* *')).toBe('* ')
  })

  it('keeps the indentation of a nested item', () => {
    expect(collapseTypedMarker('    - -')).toBe('    - ')
  })

  it('lets the typed marker win, so a numbered item can become a bullet and back', () => {
    expect(collapseTypedMarker('2. -')).toBe('- ')
    expect(collapseTypedMarker('- 1.')).toBe('1. ')
    expect(collapseTypedMarker('3. 3.')).toBe('3. ')
  })

  it('leaves text that is not two markers alone', () => {
    expect(collapseTypedMarker('- a -')).toBeNull()
    expect(collapseTypedMarker('-')).toBeNull()
    expect(collapseTypedMarker('- x')).toBeNull()
    expect(collapseTypedMarker('a - -')).toBeNull()
    expect(collapseTypedMarker('--')).toBeNull()
  })
})
