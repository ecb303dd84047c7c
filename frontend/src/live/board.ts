// The diagram board's sync through the shared Yjs document: `board` is a Y.Map from element id
// to the element as plain JSON. Each side writes the elements whose version went up and takes
// the other side's, keeping per id the highest version (ties: the lower versionNonce). That is
// Excalidraw's own reconciliation rule, so two people drawing at once converge.
import * as Y from 'yjs'

export interface BoardElement {
  id: string
  version: number
  versionNonce: number
  index?: string | null
  isDeleted?: boolean
  [key: string]: unknown
}

export const BOARD = 'board'
export const LOCAL_ORIGIN = 'board-local'

/** True when `candidate` should replace `current` for the same element id. */
export function wins(candidate: BoardElement, current: BoardElement | undefined): boolean {
  if (!current) return true
  if (candidate.version !== current.version) return candidate.version > current.version
  return candidate.versionNonce < current.versionNonce
}

/** Write the local elements that are newer than the shared copy; return how many were written. */
export function pushLocal(map: Y.Map<BoardElement>, elements: readonly BoardElement[]): number {
  const changed = elements.filter((element) => wins(element, map.get(element.id)))
  if (!changed.length) return 0
  map.doc!.transact(() => {
    for (const element of changed) map.set(element.id, plain(element))
  }, LOCAL_ORIGIN)
  return changed.length
}

/** Merge the shared elements into the local scene: per id the winner, in z-order. */
export function merge(local: readonly BoardElement[], shared: Iterable<BoardElement>): BoardElement[] {
  const byId = new Map<string, BoardElement>()
  for (const element of local) byId.set(element.id, element)
  for (const element of shared) {
    if (wins(element, byId.get(element.id))) byId.set(element.id, element)
  }
  return sortByIndex([...byId.values()])
}

/** Excalidraw orders elements by their fractional index; elements without one keep their place at the end. */
export function sortByIndex(elements: BoardElement[]): BoardElement[] {
  return elements
    .map((element, position) => ({ element, position }))
    .sort((a, b) => {
      const ai = a.element.index ?? null
      const bi = b.element.index ?? null
      if (ai === bi) return a.position - b.position
      if (ai === null) return 1
      if (bi === null) return -1
      return ai < bi ? -1 : 1
    })
    .map(({ element }) => element)
}

function plain(element: BoardElement): BoardElement {
  // Excalidraw elements are frozen objects with only JSON-able fields; a copy detaches them.
  return JSON.parse(JSON.stringify(element)) as BoardElement
}

/**
 * Keep an Excalidraw scene and the shared map in step.
 *
 * `apply` receives the merged scene whenever someone else changed the board; call the returned
 * `push` from Excalidraw's onChange. Returns a disposer.
 */
export function bindBoard(
  doc: Y.Doc,
  getLocal: () => readonly BoardElement[],
  apply: (elements: BoardElement[]) => void,
): { push: (elements: readonly BoardElement[]) => void; dispose: () => void; initial: () => BoardElement[] } {
  const map = doc.getMap<BoardElement>(BOARD)
  const observer = (_event: Y.YMapEvent<BoardElement>, transaction: Y.Transaction) => {
    if (transaction.origin === LOCAL_ORIGIN) return
    apply(merge(getLocal(), map.values()))
  }
  map.observe(observer)
  return {
    push: (elements) => {
      pushLocal(map, elements)
    },
    dispose: () => map.unobserve(observer),
    initial: () => sortByIndex([...map.values()]),
  }
}
