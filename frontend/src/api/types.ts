// Shapes the pages use. Where the OpenAPI schema documents an endpoint, the type comes from
// the generated schema.d.ts (npm run schema), so a backend change breaks the build, not a page.
import type { components } from './schema'

type Schemas = components['schemas']

export type Me = Schemas['MeOutput']
export type Profile = Schemas['ProfileOutput']
export type Framework = Schemas['FrameworkOutput']
export type Step = Schemas['StepOutput']
export type Choice = Schemas['ChoiceOutput']

export type Rubric = Schemas['RubricOutput']
export type RubricSection = Schemas['SectionOutput']
export type Scorecard = Schemas['ScorecardOutput']
export type ScorecardInput = Schemas['ScorecardInputRequest']
export type StepScoreInput = Schemas['StepScoreInputRequest']
export type Feedback = Schemas['FeedbackOutput']
export type FeedbackInput = Schemas['FeedbackInputRequest']
export type Availability = Schemas['AvailabilityOutput']
export type InterviewRequest = Schemas['RequestOutput']
export type InterviewRequestInput = Schemas['RequestInputRequest']
export type InterviewRequestChange = Schemas['PatchedRequestInputRequest']
export type InstantInput = Schemas['InstantInputRequest']
export type ProfileChange = Schemas['PatchedProfileUpdateInputRequest']

export type Session = Schemas['SessionOutput']
export type ApiTokenSummary = Schemas['TokenSummaryOutput']
export type ApiTokenCreated = Schemas['TokenCreatedOutput']

export type Agenda = Schemas['AgendaOutput']
export type Due = Schemas['DueOutput']
export type SubmissionState = Schemas['SubmissionStateOutput']
export type Whoami = Schemas['WhoamiOutput']
