app_name = "guardians"

urlpatterns: list = []
