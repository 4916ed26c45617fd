/**
 * The administration screens, loaded lazily for municipal admins, operators and
 * office admins (see `../App.tsx`). Sub-screens live under `#/admin/<view>/<id>`;
 * this component follows the hash itself, so the nurse app's router only needs
 * to know `#/admin`.
 */
import { useEffect, useState } from "preact/hooks";
import { useAppState } from "../store";
import "./admin.css";
import {
  AccessLogView,
  ApplicationDetail,
  ClerkAccounts,
  ClosingRequests,
  DeskAccountView,
  HelpDesk,
  ImportScreen,
  Inbox,
  Invitations,
  LedgerView,
  OfficeDetail,
  Offices,
  RoomDetail,
  Rooms,
  UserDetailView,
} from "./city/index";
import { HelpEditor, HelpView } from "./help";
import { adminHref, parseAdminHash, type AdminRoute } from "./helpers";
import { type AdminKey, ta } from "./messages";
import { MyApplications, NewApplication, RoomOpenForm } from "./office";
import { OfficeForms } from "./officeForms";
import { PrintPage } from "./print";

function useAdminRoute(): AdminRoute {
  const [route, setRoute] = useState(() => parseAdminHash(location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseAdminHash(location.hash));
    window.addEventListener("hashchange", follow);
    return () => window.removeEventListener("hashchange", follow);
  }, []);
  return route;
}

const CITY_NAV: Array<[string, AdminKey]> = [
  ["", "a.nav.inbox"],
  ["invitations", "a.nav.invitations"],
  ["ledger", "a.nav.ledger"],
  ["offices", "a.nav.offices"],
  ["rooms", "a.nav.rooms"],
  ["closing", "a.nav.closing"],
  ["desk", "a.nav.desk"],
  ["clerks", "a.nav.clerks"],
  ["import", "a.nav.import"],
  ["help", "a.nav.help"],
  ["help-edit", "a.nav.helpEdit"],
];
const OFFICE_NAV: Array<[string, AdminKey]> = [
  ["", "a.nav.myApps"],
  ["new", "a.nav.newApp"],
  ["staff", "a.nav.staff"],
  ["forms", "a.nav.forms"],
  ["help", "a.nav.help"],
];
/** Which nav entry a view belongs to (detail views light up their list). */
const PARENT: Record<string, string> = { applications: "", users: "ledger", "new-room": "rooms", mine: "", "access-log": "rooms" };

function CityScreen({ route }: { route: AdminRoute }) {
  const { view, id, extra } = route;
  switch (view) {
    case "applications":
      return id ? <ApplicationDetail id={id} /> : <Inbox />;
    case "invitations":
      return <Invitations />;
    case "ledger":
      return <LedgerView />;
    case "users":
      return id ? <UserDetailView id={id} /> : <LedgerView />;
    case "offices":
      return id ? <OfficeDetail id={id} /> : <Offices />;
    case "rooms":
      return id ? <RoomDetail id={id} /> : <Rooms />;
    case "new-room":
      return <RoomOpenForm mode="direct" />;
    case "closing":
      return <ClosingRequests />;
    case "desk":
      return id ? <DeskAccountView id={id} /> : <HelpDesk />;
    case "clerks":
      return <ClerkAccounts />;
    case "import":
      return <ImportScreen />;
    case "access-log":
      return id ? <AccessLogView roomId={id} /> : <Rooms />;
    case "help":
      return <HelpView />;
    case "help-edit":
      return <HelpEditor />;
    case "print":
      return id && extra ? <PrintPage form={id} id={extra} /> : <Inbox />;
    default:
      return <Inbox />;
  }
}

function OfficeScreen({ route }: { route: AdminRoute }) {
  switch (route.view) {
    case "new":
      return <NewApplication />;
    case "staff":
      return <LedgerView office />;
    case "forms":
      return <OfficeForms />;
    case "print":
      return route.id && route.extra ? <PrintPage form={route.id} id={route.extra} scope="office" /> : <OfficeForms />;
    case "help":
      return <HelpView />;
    default:
      return <MyApplications />;
  }
}

export default function AdminApp() {
  const { me } = useAppState();
  const route = useAdminRoute();
  const role = me?.user.role ?? "";
  const city = role === "municipal_admin" || role === "operator";
  const nav = city ? CITY_NAV : OFFICE_NAV;
  const current = PARENT[route.view] ?? route.view;
  const printing = route.view === "print";
  return (
    <div class={printing ? "admin admin-printing" : "admin"} data-testid="admin-app" data-role={role}>
      {!printing && (
        <nav class="admin-nav no-print" aria-label={ta("a.nav")}>
          <ul>
            {nav.map(([view, key]) => (
              <li key={view}>
                <a href={adminHref(view)} aria-current={current === view ? "page" : undefined} data-testid={`admin-nav-${view || "home"}`}>
                  {ta(key)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <div class="admin-main">{city ? <CityScreen route={route} /> : <OfficeScreen route={route} />}</div>
    </div>
  );
}
