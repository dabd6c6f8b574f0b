def demo_analytics(*, options) -> str:
    return ""
