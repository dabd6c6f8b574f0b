from ninja import Router

router = Router(tags=["演示诉求"])
