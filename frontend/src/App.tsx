import { useQueryClient } from '@tanstack/react-query'
import { lazy, Suspense, useState, type ReactNode } from 'react'
import { Link, Navigate, NavLink, Route, Routes, useLocation, useNavigate } from 'react-router-dom'
import { api } from './api/client'
import { keys, useMe } from './api/queries'
import type { Me } from './api/types'
import { ErrorMessage, NotFound, Spinner } from './components/forms'
import { MeContext } from './lib/me'
import { AsInterviewerPage } from './pages/AsInterviewer'
import { AvailabilityPage } from './pages/Availability'
import { InterviewDetailPage } from './pages/InterviewDetail'
import { InterviewsPage } from './pages/Interviews'
import { HomePage } from './pages/Home'
import { LandingPage, WelcomePage } from './pages/Welcome'
import { LoginPage, RegisterPage } from './pages/Auth'
import { AccountPage } from './pages/Account'
import { ForgotPasswordPage, ResetPasswordPage, VerifyEmailPage } from './pages/Recovery'
import { VerifyBanner } from './components/VerifyBanner'
import { ProfilePage } from './pages/Profile'
import { ScorecardPage } from './pages/Scorecard'
import { FeedbackPage } from './pages/Feedback'

// The heavy editors and charts load only on the pages that use them.
const RoomPage = lazy(() => import('./pages/Room'))
const ReportPage = lazy(() => import('./pages/Report'))
const ReplayPage = lazy(() => import('./pages/Replay'))

function RequireAuth({ children }: { children: (me: Me) => ReactNode }) {
  const me = useMe()
  const location = useLocation()
  if (me.error) return <ErrorMessage error={me.error} />
  if (me.isPending) return <Spinner />
  if (!me.data) {
    const next = encodeURIComponent(location.pathname + location.search)
    return <Navigate to={`/login?next=${next}`} replace />
  }
  return <MeContext.Provider value={me.data}>{children(me.data)}</MeContext.Provider>
}

/** Home for a logged-in user; the public landing page for everyone else. */
function HomeOrLanding() {
  const me = useMe()
  if (me.error) return <ErrorMessage error={me.error} />
  if (me.isPending) return <Spinner />
  if (!me.data) return <LandingPage />
  return (
    <MeContext.Provider value={me.data}>
      <HomePage me={me.data} />
    </MeContext.Provider>
  )
}

function Header() {
  const me = useMe()
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const [error, setError] = useState<unknown>(null)
  const logout = async () => {
    setError(null)
    try {
      await api.post('/api/auth/logout/')
      queryClient.clear()
      queryClient.setQueryData(keys.me, null)
      navigate('/login')
    } catch (e) {
      setError(e)
    }
  }
  return (
    <>
      <header className="site-header">
        <Link to="/" className="brand">
          Sevenstep
        </Link>
        {me.data && (
          <nav aria-label="Main">
            <NavLink to="/" end>
              Home
            </NavLink>
            <NavLink to="/history">History</NavLink>
            <NavLink to="/availability">Availability</NavLink>
            <NavLink to="/report">Report</NavLink>
            <NavLink to="/as-interviewer">As interviewer</NavLink>
            <NavLink to="/profile">Profile</NavLink>
            <NavLink to="/account">Account</NavLink>
          </nav>
        )}
        {me.data && (
          <div className="who">
            <span>{me.data.profile.display_name}</span>
            <button type="button" className="link-button" onClick={logout}>
              Log out
            </button>
            <ErrorMessage error={error} />
          </div>
        )}
      </header>
      {me.data && <VerifyBanner me={me.data} />}
    </>
  )
}

export function App() {
  const authed = (page: (me: Me) => ReactNode) => <RequireAuth>{page}</RequireAuth>
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <Header />
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Spinner />}>
          <Routes>
            <Route path="/login" element={<LoginPage />} />
            <Route path="/register" element={<RegisterPage />} />
            <Route path="/verify-email/:key" element={<VerifyEmailPage />} />
            <Route path="/forgot-password" element={<ForgotPasswordPage />} />
            <Route path="/reset-password/:uid/:token" element={<ResetPasswordPage />} />
            <Route path="/account" element={authed((me) => <AccountPage me={me} />)} />
            <Route path="/" element={<HomeOrLanding />} />
            <Route path="/welcome" element={authed(() => <WelcomePage />)} />
            <Route path="/interviews" element={authed((me) => <InterviewsPage me={me} when="upcoming" key="upcoming" />)} />
            <Route path="/history" element={authed((me) => <InterviewsPage me={me} when="past" key="past" />)} />
            <Route path="/profile" element={authed((me) => <ProfilePage me={me} />)} />
            <Route path="/availability" element={authed((me) => <AvailabilityPage me={me} />)} />
            <Route path="/interviews/:id" element={authed((me) => <InterviewDetailPage me={me} />)} />
            <Route path="/interviews/:id/room" element={authed((me) => <RoomPage me={me} />)} />
            <Route path="/interviews/:id/scorecard" element={authed((me) => <ScorecardPage me={me} />)} />
            <Route path="/interviews/:id/feedback" element={authed((me) => <FeedbackPage me={me} />)} />
            <Route path="/interviews/:id/replay" element={authed((me) => <ReplayPage me={me} />)} />
            <Route path="/report" element={authed((me) => <ReportPage me={me} />)} />
            <Route path="/as-interviewer" element={authed(() => <AsInterviewerPage />)} />
            <Route path="*" element={<NotFound />} />
          </Routes>
        </Suspense>
      </main>
    </>
  )
}
