from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Tend administration"
admin.site.site_title = "Tend admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("connections.urls")),
]
