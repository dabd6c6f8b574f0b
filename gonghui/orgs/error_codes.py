"""Stable error codes of the orgs app (Saleor's error_codes), used in the API's `code`."""
from enum import StrEnum


class OrgErrorCode(StrEnum):
    INVALID = "orgs.invalid"
    PARENT_TYPE = "orgs.parent_type_not_allowed"
    MOVE_INTO_SELF = "orgs.move_into_own_subtree"
    MOVE_SAME_PARENT = "orgs.move_same_parent"
    HAS_ACTIVE_CHILDREN = "orgs.has_active_children"
    CODE_TAKEN = "orgs.code_taken"
    USCC_TAKEN = "orgs.uscc_taken"
    IMPORT_ROWS = "orgs.import_rows_invalid"
