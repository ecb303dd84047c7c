import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { useState } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { ConfirmDialog } from './ConfirmDialog'

function Harness({ log }: { log: string[] }) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Submit
      </button>
      <ConfirmDialog
        open={open}
        title="Submit for good?"
        confirmLabel="Submit for good"
        cancelLabel="Keep editing"
        onConfirm={() => {
          log.push('confirmed')
          setOpen(false)
        }}
        onCancel={() => {
          log.push('cancelled')
          setOpen(false)
        }}
      >
        <p>It never changes afterwards.</p>
      </ConfirmDialog>
    </>
  )
}

afterEach(cleanup)

describe('ConfirmDialog', () => {
  it('opens named and described, with focus on the way back', () => {
    render(<Harness log={[]} />)
    fireEvent.click(screen.getByRole('button', { name: 'Submit' }))
    const dialog = screen.getByRole('dialog', { name: 'Submit for good?' })
    expect(dialog.getAttribute('aria-describedby')).toBeTruthy()
    expect(document.getElementById(dialog.getAttribute('aria-describedby') ?? '')?.textContent).toContain('never changes')
    expect(document.activeElement?.textContent).toBe('Keep editing')
  })

  it('acts only on the confirmation, and Escape (the cancel event) closes it', () => {
    const log: string[] = []
    render(<Harness log={log} />)
    fireEvent.click(screen.getByRole('button', { name: 'Submit' }))
    fireEvent(screen.getByRole('dialog'), new Event('cancel', { cancelable: true }))
    expect(log).toEqual(['cancelled'])
    expect(screen.queryByRole('dialog')).toBeNull()
    fireEvent.click(screen.getByRole('button', { name: 'Submit' }))
    fireEvent.click(screen.getByRole('button', { name: 'Submit for good' }))
    expect(log).toEqual(['cancelled', 'confirmed'])
  })
})
