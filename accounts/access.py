"""The declared access matrix: for every URL pattern of the portal, which roles may use it.

``tests/test_access_matrix.py`` walks every URL pattern of the project and requests it as each
role; it fails when a pattern is missing here, when this table names a pattern that no longer
exists, or when a route answers differently from what the table says. A new route therefore
starts with a line here.

The role names are ``accounts.models.Role`` plus two pseudo-roles:

- ``anonymous``: everyone, logged in or not (a public route);
- ``authenticated``: anyone who is logged in, whatever their roles;
- ``api_client``: a system holding an API token (no portal role; everyone else gets 401/403).

Object-level rules (a guardian's own cards, a directorate's own complaints and findings, a
committee's own needs) are not in this table; each app's ``permissions.py``/selectors enforce
them and their tests check the wrong owner is refused.
"""

from .models import Role

ANONYMOUS = "anonymous"
AUTHENTICATED = "authenticated"
API_CLIENT = "api_client"

PUBLIC = frozenset({ANONYMOUS})
LOGGED_IN = frozenset({AUTHENTICATED})
# The Sindicatura and the municipality's administrators.
STAFF = frozenset({Role.MUNICIPAL_STAFF, Role.ADMINISTRATOR})
GUARDIANS = frozenset({Role.GUARDIAN, Role.LEAD_GUARDIAN})
GUARDIANS_AND_STAFF = GUARDIANS | STAFF
# Committee members and civil employees act for their communities; staff for all of them.
PARTICIPANTS = frozenset({Role.COMMITTEE_MEMBER, Role.CIVIL_EMPLOYEE}) | STAFF
# Directorate staff answer their directorate's complaints and findings; staff see all.
DIRECTORATES_AND_STAFF = frozenset({Role.DIRECTORATE_STAFF}) | STAFF
API_CLIENTS = frozenset({API_CLIENT})

# The whole Django admin is one entry: users with ``is_staff`` and model permissions (the
# Sindicatura and administrators); each model admin then checks its own permissions.
ADMIN_NAMESPACE = "admin"

ACCESS: dict[str, frozenset[str]] = {
    # --- portal -------------------------------------------------------------------------
    "home": PUBLIC,
    "healthz": PUBLIC,
    "set_language": PUBLIC,
    "javascript-catalog": PUBLIC,
    # Uploaded files, under random names; served by Django only while DEBUG is on (or
    # SERVE_MEDIA), by the web server or a separate media host in production.
    "media": PUBLIC,
    "admin:*": STAFF,
    # --- accounts: login, privacy and ARCO rights ----------------------------------------
    "accounts:login": PUBLIC,
    "accounts:logout": PUBLIC,
    "accounts:otp_verify": LOGGED_IN,
    "accounts:otp_setup": LOGGED_IN,
    # --- workspace: where every login lands (each role sees its own sections) -----------
    "workspace:home": LOGGED_IN,
    # Statistics: a directorate's staff see their directorate's figures; staff recompute them.
    "workspace:statistics:index": DIRECTORATES_AND_STAFF,
    "workspace:statistics:detail": DIRECTORATES_AND_STAFF,
    "workspace:statistics:csv": DIRECTORATES_AND_STAFF,
    "workspace:statistics:refresh": STAFF,
    "privacy:notice": PUBLIC,
    "privacy:complaint_request": PUBLIC,
    "privacy:complaint_request_confirm": PUBLIC,
    "privacy:my_data": LOGGED_IN,
    "privacy:my_data_download": LOGGED_IN,
    "privacy:request": LOGGED_IN,
    "privacy:email_confirm_send": LOGGED_IN,
    "privacy:email_confirm": LOGGED_IN,
    # --- territory ------------------------------------------------------------------------
    "territory:map": PUBLIC,
    "territory:space_detail": PUBLIC,
    "territory:spaces_geojson": PUBLIC,
    "territory:spaces_nearest": PUBLIC,
    "territory:colonia_detail": PUBLIC,
    "territory:area_detail": PUBLIC,
    "territory:layer_geojson": PUBLIC,
    "territory:layers_nearest": PUBLIC,
    # --- contracts ------------------------------------------------------------------------
    "contracts:contract_list": PUBLIC,
    "contracts:contract_detail": PUBLIC,
    "contracts:company_detail": PUBLIC,
    # --- guardians ------------------------------------------------------------------------
    "guardians:program": PUBLIC,
    "guardians:service_worker": PUBLIC,
    "guardians:join": PUBLIC,
    "guardians:join_thanks": PUBLIC,
    "guardians:privacy_notice": PUBLIC,
    "guardians:welcome_done": PUBLIC,
    "guardians:welcome": PUBLIC,
    "guardians:application_list": STAFF,
    "guardians:application_review": STAFF,
    "guardians:visit_list": STAFF,
    "guardians:visit_create": STAFF,
    "guardians:visit_detail": STAFF,
    "guardians:card_list": GUARDIANS_AND_STAFF,
    "guardians:card_new": GUARDIANS,
    "guardians:review_queue": STAFF,
    "guardians:card_detail": GUARDIANS_AND_STAFF,
    "guardians:card_review": STAFF,
    "guardians:training_list": GUARDIANS_AND_STAFF,
    "guardians:training_report_all": STAFF,
    "guardians:training_detail": GUARDIANS_AND_STAFF,
    "guardians:training_report": STAFF,
    "guardians:evaluation_take": GUARDIANS,
    "guardians:visit_plan": STAFF,
    "guardians:visit_done": STAFF,
    # A planned visit's pre-visit brief, at an unguessable link staff share (counts only).
    "guardians:visit_brief": PUBLIC,
    "guardians:my_visits": GUARDIANS,
    "guardians:training_attendance": STAFF,
    # --- complaints -----------------------------------------------------------------------
    "complaints:list": PUBLIC,
    "complaints:new": PUBLIC,
    "complaints:nearby": PUBLIC,
    "complaints:geojson": PUBLIC,
    "complaints:track": PUBLIC,
    "complaints:inbox": DIRECTORATES_AND_STAFF,
    "complaints:inbox_detail": DIRECTORATES_AND_STAFF,
    "complaints:brief": STAFF,
    "complaints:impact": STAFF,
    "complaints:privacy_notice": PUBLIC,
    "complaints:detail": PUBLIC,
    "complaints:follow": PUBLIC,
    "complaints:unfollow": PUBLIC,
    "complaints:open311_root": PUBLIC,
    "complaints:open311_discovery": PUBLIC,
    "complaints:open311_services": PUBLIC,
    "complaints:open311_service": PUBLIC,
    "complaints:open311_requests": PUBLIC,
    "complaints:open311_request": PUBLIC,
    "complaints:open311_token": PUBLIC,
    # Double opt-in: the link e-mailed to a follower; the reporter's "Has it been fixed?".
    "complaints:follow_confirm": PUBLIC,
    "complaints:fixed_answer": PUBLIC,
    # --- alerts: follow a place by e-mail (signed links) or by its Atom feed ---------------
    "alerts:follow_space": PUBLIC,
    "alerts:follow_area": PUBLIC,
    "alerts:follow_colonia": PUBLIC,
    "alerts:confirm": PUBLIC,
    "alerts:unsubscribe": PUBLIC,
    "alerts:unsubscribe_all": PUBLIC,
    "alerts:space_feed": PUBLIC,
    "alerts:area_feed": PUBLIC,
    "alerts:colonia_feed": PUBLIC,
    "alerts:colonia_service_feed": PUBLIC,
    # --- committees -----------------------------------------------------------------------
    "committees:committee_list": PUBLIC,
    "committees:committee_detail": PUBLIC,
    "committees:planning": PUBLIC,
    "committees:forum_list": PUBLIC,
    "committees:forum_detail": PUBLIC,
    "committees:work_list": PUBLIC,
    "committees:equity": PUBLIC,
    "committees:equity_csv": PUBLIC,
    "committees:equity_geojson": PUBLIC,
    "committees:dashboard": PARTICIPANTS,
    "committees:need_list": PARTICIPANTS,
    "committees:needs_geojson": PARTICIPANTS,
    "committees:need_create": PARTICIPANTS,
    "committees:need_detail": PARTICIPANTS,
    "committees:need_edit": PARTICIPANTS,
    "committees:need_status": PARTICIPANTS,
    "committees:forum_create": PARTICIPANTS,
    "committees:activity_list": STAFF,
    "committees:activity_create": frozenset({Role.CIVIL_EMPLOYEE}),
    "committees:employee_list": STAFF,
    "committees:assignment_create": STAFF,
    "committees:assignment_end": STAFF,
    "committees:allocation_list": STAFF,
    "committees:allocation_create": STAFF,
    "committees:allocation_history": PUBLIC,
    "audit:head": PUBLIC,
    # Also the executing committee's members and association's employees (an object rule:
    # committees.services.work_reporter); the access world's work has no executor.
    "committees:work_progress": STAFF,
    "committees:works_report_list": PARTICIPANTS,
    "committees:forum_close_list": PARTICIPANTS,
    "committees:forum_close": PARTICIPANTS,
    "committees:session_create": STAFF,
    "committees:agreement_list": STAFF,
    # A COPLADEM agreement (staff); a forum's agreement is also its community's (object rule).
    "committees:agreement_done": STAFF,
    "committees:registration_list": STAFF,
    "committees:committee_register": STAFF,
    "committees:certificate_issue": STAFF,
    "committees:certificate_pdf": STAFF,
    "committees:certificate_verify": PUBLIC,
    "committees:requisition_list": STAFF,
    "committees:requisition_create": STAFF,
    "committees:requisition_detail": STAFF,
    "committees:requisition_submit": STAFF,
    "committees:requisition_answer": STAFF,
    "committees:requisition_document": STAFF,
    # --- reviews: citizens review the contracts (a guardian opens only the reviews assigned
    # to them: reviews/tests/test_views.py) -----------------------------------------------------
    "reviews:list": GUARDIANS_AND_STAFF,
    "reviews:assign": STAFF,
    "reviews:detail": GUARDIANS_AND_STAFF,
    "reviews:comment": GUARDIANS_AND_STAFF,
    "reviews:changes": STAFF,
    "reviews:publish": STAFF,
    "reviews:observation_finding": STAFF,
    "reviews:observation_request": STAFF,
    # Transparency requests for what reviews did not find: the Sindicatura files and follows them.
    "transparency:list": STAFF,
    "transparency:detail": STAFF,
    "transparency:pdf": STAFF,
    "transparency:text": STAFF,
    # --- findings -------------------------------------------------------------------------
    "findings:list": DIRECTORATES_AND_STAFF,
    "findings:messages": LOGGED_IN,
    "findings:detail": DIRECTORATES_AND_STAFF,
    "findings:act": DIRECTORATES_AND_STAFF,
    "findings:fix_rate": PUBLIC,
    # The contractors' API authenticates with its own tokens, not with the portal's roles.
    "findings:api_work_logs": API_CLIENTS,
    "findings:api_known_issues": API_CLIENTS,
    # --- open data ------------------------------------------------------------------------
    "opendata:index": PUBLIC,
    "opendata:spaces_geojson": PUBLIC,
    "opendata:dataset_csv": PUBLIC,
    "opendata:contracts_ocds": PUBLIC,
    "opendata:contract_ocds": PUBLIC,
}


def entry_for(name: str) -> str:
    """The table's key for a URL pattern name: the whole admin namespace is one entry."""
    if name == ADMIN_NAMESPACE or name.startswith(ADMIN_NAMESPACE + ":"):
        return "admin:*"
    return name


def roles_for(name: str) -> frozenset[str]:
    return ACCESS[entry_for(name)]


def is_allowed(name: str, role: str) -> bool:
    """Whether a user of ``role`` (or ``anonymous``) may use the route named ``name``."""
    allowed = roles_for(name)
    if ANONYMOUS in allowed:
        return True
    if role == ANONYMOUS:
        return False
    return AUTHENTICATED in allowed or role in allowed


def public_names() -> list[str]:
    """The route names everyone may use (personal-data tests request all of them)."""
    return [name for name, roles in ACCESS.items() if ANONYMOUS in roles]
