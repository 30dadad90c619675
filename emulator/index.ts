/** The local MongoDB Atlas Admin API emulator (org invitations and org users slice). */
export { startEmulator } from "./server";
export { connectControl } from "./control-client";
export type { ControlClient } from "./control-client";
export { KNOB_VALUES } from "./knobs";
export type {
  EmulatorOptions,
  Exchange,
  FaultSpec,
  KnobSettings,
  LogEntry,
  RequestLog,
  RunningEmulator,
} from "./types";
