import { CaptureUpdateAction, Excalidraw } from '@excalidraw/excalidraw'
import '@excalidraw/excalidraw/index.css'
import type { ExcalidrawImperativeAPI } from '@excalidraw/excalidraw/types'
import { useEffect, useMemo, useRef, useState } from 'react'
import type { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { safeColor, safeName } from '../live/awareness'
import { bindBoard, type BoardElement } from '../live/board'

type Api = ExcalidrawImperativeAPI
type SceneElements = Parameters<Api['updateScene']>[0]['elements']
type Collaborators = NonNullable<Parameters<Api['updateScene']>[0]['collaborators']>

const POINTER_INTERVAL_MS = 100

/** The architecture diagram board, synced through the live document's `board` map. */
export default function Board({ doc, awareness, readOnly }: { doc: Y.Doc; awareness: Awareness; readOnly: boolean }) {
  const [api, setApi] = useState<Api | null>(null)
  const lastPointer = useRef(0)
  const binding = useMemo(
    () => ({ current: null as ReturnType<typeof bindBoard> | null }),
    [],
  )
  const initialElements = useMemo(
    () => [...doc.getMap<BoardElement>('board').values()],
    [doc],
  )

  useEffect(() => {
    if (!api) return
    const bound = bindBoard(
      doc,
      () => api.getSceneElementsIncludingDeleted() as unknown as BoardElement[],
      (elements) =>
        api.updateScene({
          elements: elements as unknown as SceneElements,
          captureUpdate: CaptureUpdateAction.NEVER,
        }),
    )
    binding.current = bound
    // Elements that arrived between the first render and the API being ready.
    api.updateScene({ elements: bound.initial() as unknown as SceneElements, captureUpdate: CaptureUpdateAction.NEVER })
    return () => {
      bound.dispose()
      binding.current = null
    }
  }, [api, doc, binding])

  // Other people's pointers, from the awareness states of the notes connection.
  useEffect(() => {
    if (!api) return
    const render = () => {
      const collaborators: Collaborators = new Map()
      awareness.getStates().forEach((state, clientId) => {
        if (clientId === awareness.clientID || !state.pointer) return
        const user = state.user as { name?: string; color?: string } | undefined
        const color = safeColor(user?.color, '#1f4fbf')
        collaborators.set(String(clientId) as never, {
          pointer: state.pointer,
          username: safeName(user?.name),
          color: { background: color, stroke: color },
        })
      })
      api.updateScene({ collaborators, captureUpdate: CaptureUpdateAction.NEVER })
    }
    awareness.on('change', render)
    render()
    return () => awareness.off('change', render)
  }, [api, awareness])

  return (
    <div className="board" role="region" aria-label="Diagram board">
      <Excalidraw
        excalidrawAPI={setApi}
        initialData={{ elements: initialElements as unknown as SceneElements, scrollToContent: true }}
        isCollaborating
        viewModeEnabled={readOnly}
        onChange={(elements) => binding.current?.push(elements as unknown as BoardElement[])}
        onPointerUpdate={({ pointer }) => {
          const now = Date.now()
          if (now - lastPointer.current < POINTER_INTERVAL_MS) return
          lastPointer.current = now
          awareness.setLocalStateField('pointer', { x: pointer.x, y: pointer.y, tool: 'pointer' })
        }}
        UIOptions={{ canvasActions: { loadScene: false, saveToActiveFile: false, export: false } }}
      />
    </div>
  )
}
