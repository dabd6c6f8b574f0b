from django.urls import path

from gonghui.orgs import views

app_name = "orgs"

urlpatterns = [
    path("orgs/", views.org_tree, name="tree"),
    path("orgs/search/", views.org_search, name="search"),
    path("orgs/<int:org_id>/", views.org_detail, name="detail"),
    path("orgs/<int:org_id>/children/", views.org_tree_children, name="children"),
    path("orgs/<int:parent_id>/new/", views.org_create, name="create"),
    path("orgs/<int:org_id>/move/", views.org_move, name="move"),
    path("orgs/<int:org_id>/edit/", views.org_edit, name="edit"),
    path("orgs/options/", views.org_options, name="options"),
    path("orgs/<int:org_id>/export.xlsx", views.org_export, name="export"),
    path("employers/", views.employer_list, name="employer_list"),
    path("employers/new/", views.employer_edit, name="employer_create"),
    path("employers/<int:employer_id>/", views.employer_detail, name="employer_detail"),
    path("employers/<int:employer_id>/edit/", views.employer_edit, name="employer_edit"),
    path("import/<str:kind>/", views.import_page, name="import"),
    path("import/<str:kind>/template.xlsx", views.import_template, name="import_template"),
]
