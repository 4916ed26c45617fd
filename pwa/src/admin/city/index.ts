/** The municipal admin's screens, a file per screen. */
export { Inbox } from "./Inbox";
export { ApplicationDetail } from "./ApplicationDetail";
export { Invitations } from "./Invitations";
export { LedgerView } from "./Ledger";
export { UserDetailView } from "./UserDetail";
export { Offices } from "./Offices";
export { Rooms } from "./Rooms";
export { CloseRoom } from "./RoomDetail";
export { RoomDetail } from "./RoomDetail";
export { ClosingRequests } from "./ClosingRequests";
export { HelpDesk, DeskAccountView } from "./HelpDesk";
export { ClerkAccounts } from "./ClerkAccounts";
export { OfficeDetail } from "./OfficeDetail";
export { AccessLogView } from "./AccessLog";
export { ImportScreen } from "./Import";
