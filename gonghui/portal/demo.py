"""The demo logins: a step of their own, as they need orgs (where posts sit) and accounts (who holds them), and only
the portal imports both."""
from gonghui.accounts.demo import seed_demo_extra_users, seed_demo_users
from gonghui.core.registry import DemoOptions
from gonghui.orgs.demo import demo_bound_employer
from gonghui.orgs.selectors import org_by_code_unscoped


def demo_logins(*, options: DemoOptions) -> str:
    seed_demo_users(org_lookup=lambda code: org_by_code_unscoped(code=code))
    seed_demo_extra_users(org_lookup=lambda code: org_by_code_unscoped(code=code), employer=demo_bound_employer())
    return "演示账号已就绪（见下表）"
