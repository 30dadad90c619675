/** The local MongoDB Atlas Admin API emulator (org invitations and org users slice). */
export { startEmulator } from "./server";
export { connectControl, ControlClientError } from "./control-client";
export type { ControlClient, EmulatorInfo, KnobsPatch, RemoteFaultHandle } from "./control-client";
export type { KnobSettings } from "./control";
export { DEFAULTS } from "./core";
export { DEFAULT_ORG, DEFAULT_PROJECT, DEFAULT_TEAMS, OWNER_USERNAME } from "./state";
export type {
  AuthKind,
  DeleteMissingAnswer,
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
  InvitationRecord,
  LogEntry,
  LogFilter,
  MembershipStatus,
  OrgUserRecord,
  RequestLog,
  RunningEmulator,
  TokenBucketSpec,
} from "./types";
