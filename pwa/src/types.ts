/**
 * The server's answers outside sync, under the names the PWA uses. Every shape is the
 * server's, generated from its OpenAPI document into `./generated/api.ts`
 * (`make api-types`); only the names are written here.
 */
import type { NextOut } from "./generated/api";

export type {
  DeviceOut as DeviceInfo,
  Error as ErrorBody,
  HelpContactOut as HelpContact,
  HelpLinkOut as HelpLink,
  HelpOut as HelpPage,
  MeOut as Me,
  MyTermsOut as MyTerms,
  PasskeyOut as PasskeyInfo,
  PublicHelpOut as PublicHelp,
  RecoveryKeyOut as DeviceRecoveryKey,
  SessionOut as SessionInfo,
  TotpEnrollOut as TotpEnrollment,
  UserRef as MeUser,
} from "./generated/api";

export type AuthStep = NextOut;
export type AuthNext = NextOut["next"];
