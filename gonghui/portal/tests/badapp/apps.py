"""Declarations that cannot work, for the check's test."""
from gonghui.core.registry import Action, DeclaringApp, MenuEntry, TodoProvider


class BadAppConfig(DeclaringApp):
    name = "gonghui.portal.tests.badapp"
    label = "badapp"

    actions = (Action("orgs.view", "又一个查看组织"), Action("bad.do", "坏操作", default_roles=("nobody",)))
    menu = (MenuEntry("坏", "不存在的页面", "bad:missing", actions=("bad.undeclared",)),)
    todo_providers = (TodoProvider("坏待办", "gonghui.portal.tests.badapp.nowhere.collect"),)
