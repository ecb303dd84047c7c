import { useState } from 'react'
import { ConfirmDialog } from './ConfirmDialog'

/** The interviewer's "End interview": it ends the room for both, so it asks first. */
export function EndInterviewButton({ onEnd }: { onEnd: () => void }) {
  const [confirming, setConfirming] = useState(false)
  return (
    <>
      <button type="button" className="danger" onClick={() => setConfirming(true)}>
        End interview
      </button>
      <ConfirmDialog
        open={confirming}
        title="End the interview for both of you?"
        confirmLabel="End for both"
        cancelLabel="Keep going"
        onConfirm={() => {
          setConfirming(false)
          onEnd()
        }}
        onCancel={() => setConfirming(false)}
      >
        <p>The clock stops and the notes become read-only. Then you write the scorecard and your partner their feedback.</p>
      </ConfirmDialog>
    </>
  )
}
