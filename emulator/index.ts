/** The local MongoDB Atlas Admin API emulator (org invitations and org users slice). */
export { startEmulator } from "./server";
export { connectControl, ControlClientError } from "./control-client";
export type { ControlClient, EmulatorInfo, KnobsPatch, RemoteFaultHandle } from "./control-client";
export { KNOB_VALUES } from "./control";
export { DEFAULTS } from "./core";
export { DEFAULT_TOKEN_BUCKET } from "./limits";
export { DEFAULT_ORG, DEFAULT_PROJECT, DEFAULT_TEAMS, defaultKnobs } from "./state";
export type {
  AcceptedUserId,
  AuthKind,
  DigestAlgorithm,
  DuplicateInvitePolicy,
  EmulatorControl,
  EmulatorOptions,
  EmulatorStats,
  Exchange,
  FaultHandle,
  FaultMatch,
  FaultSpec,
  GroupRoleAssignmentRecord,
  InvitationLimit,
  InvitationLimitCode,
  InvitationRecord,
  KnobSettings,
  LogEntry,
  LogFilter,
  MembershipStatus,
  MissingInvitationAnswer,
  OrgUserRecord,
  ReinvitedUserId,
  RequestLog,
  RunningEmulator,
  SunsetInfo,
  TokenBucketSpec,
  UsernameCase,
  UsernameStorage,
} from "./types";
