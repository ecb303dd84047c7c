import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { BOARD, bindBoard, merge, pushLocal, wins, type BoardElement } from './board'

const el = (id: string, version: number, extra: Partial<BoardElement> = {}): BoardElement => ({
  id,
  version,
  versionNonce: 100,
  index: `a${id}`,
  x: version,
  ...extra,
})

/** Two documents wired to each other, like two browsers through the server. */
function pair(): [Y.Doc, Y.Doc] {
  const a = new Y.Doc()
  const b = new Y.Doc()
  a.on('update', (update: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(b, update, 'remote'))
  b.on('update', (update: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(a, update, 'remote'))
  return [a, b]
}

describe('wins', () => {
  it('prefers the higher version, then the lower nonce', () => {
    expect(wins(el('1', 3), el('1', 2))).toBe(true)
    expect(wins(el('1', 2), el('1', 3))).toBe(false)
    expect(wins(el('1', 2, { versionNonce: 5 }), el('1', 2, { versionNonce: 9 }))).toBe(true)
    expect(wins(el('1', 1), undefined)).toBe(true)
  })
})

describe('pushLocal', () => {
  it('writes only elements whose version moved', () => {
    const doc = new Y.Doc()
    const map = doc.getMap<BoardElement>(BOARD)
    expect(pushLocal(map, [el('1', 1), el('2', 1)])).toBe(2)
    expect(pushLocal(map, [el('1', 1), el('2', 2)])).toBe(1)
    expect(pushLocal(map, [el('1', 1), el('2', 2)])).toBe(0)
    expect(map.get('2')?.x).toBe(2)
  })

  it('never overwrites a newer shared element with an older local one', () => {
    const doc = new Y.Doc()
    const map = doc.getMap<BoardElement>(BOARD)
    pushLocal(map, [el('1', 5)])
    expect(pushLocal(map, [el('1', 4)])).toBe(0)
    expect(map.get('1')?.version).toBe(5)
  })
})

describe('merge', () => {
  it('keeps the winner per id and orders by fractional index', () => {
    const merged = merge([el('b', 2), el('a', 1)], [el('a', 3), el('c', 1)])
    expect(merged.map((e) => [e.id, e.version])).toEqual([
      ['a', 3],
      ['b', 2],
      ['c', 1],
    ])
  })
})

describe('bindBoard', () => {
  it('converges when two people draw at the same time', () => {
    const [docA, docB] = pair()
    let sceneA: BoardElement[] = []
    let sceneB: BoardElement[] = []
    const boardA = bindBoard(docA, () => sceneA, (elements) => (sceneA = elements))
    const boardB = bindBoard(docB, () => sceneB, (elements) => (sceneB = elements))

    sceneA = [el('box', 1)]
    boardA.push(sceneA)
    sceneB = [...sceneB, el('arrow', 1)]
    boardB.push(sceneB)
    // Both move the box at once: B's edit has the higher version and wins on both sides.
    sceneA = sceneA.map((e) => (e.id === 'box' ? el('box', 2, { x: 10 }) : e))
    sceneB = sceneB.map((e) => (e.id === 'box' ? el('box', 3, { x: 20 }) : e))
    boardA.push(sceneA)
    boardB.push(sceneB)

    expect(sceneA).toEqual(sceneB)
    expect(sceneA.find((e) => e.id === 'box')?.x).toBe(20)
    expect(sceneA.map((e) => e.id).sort()).toEqual(['arrow', 'box'])
  })

  it('does not echo its own writes back into the scene', () => {
    const doc = new Y.Doc()
    let applied = 0
    const board = bindBoard(doc, () => [], () => applied++)
    board.push([el('1', 1)])
    expect(applied).toBe(0)
    expect(board.initial().map((e) => e.id)).toEqual(['1'])
    board.dispose()
  })

  it('keeps deletions as tombstones so a late peer does not resurrect them', () => {
    const [docA, docB] = pair()
    let sceneA: BoardElement[] = [el('1', 1)]
    let sceneB: BoardElement[] = []
    const boardA = bindBoard(docA, () => sceneA, (e) => (sceneA = e))
    bindBoard(docB, () => sceneB, (e) => (sceneB = e))
    boardA.push(sceneA)
    sceneA = [el('1', 2, { isDeleted: true })]
    boardA.push(sceneA)
    expect(sceneB).toHaveLength(1)
    expect(sceneB[0].isDeleted).toBe(true)
  })
})
