from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from members import favourite_views, views
from members.forms import MemberLoginForm, MemberPasswordResetForm
from vendingstore.ratelimit import ratelimit_anonymous_post

app_name = "members"
urlpatterns = [
    path("account/signup/", ratelimit_anonymous_post(views.signup), name="signup"),
    path("account/signup/details/", ratelimit_anonymous_post(views.signup_details), name="signup_details"),
    path("account/signup/sent/", views.signup_sent, name="signup_sent"),
    path(
        "account/signup/finish/<str:token>/",
        ratelimit_anonymous_post(views.signup_finish_view),
        name="signup_finish",
    ),
    path(
        "account/login/",
        ratelimit_anonymous_post(
            auth_views.LoginView.as_view(
                template_name="members/login.html",
                authentication_form=MemberLoginForm,
                redirect_authenticated_user=True,
            )
        ),
        name="login",
    ),
    path("account/logout/", views.logout_view, name="logout"),
    path("account/", views.account, name="account"),
    path("account/export.json", views.account_export, name="account_export"),
    path("account/delete/", views.account_delete, name="account_delete"),
    path(
        "account/password-reset/",
        ratelimit_anonymous_post(
            auth_views.PasswordResetView.as_view(
                form_class=MemberPasswordResetForm,
                template_name="members/password_reset.html",
                email_template_name="members/emails/password_reset.txt",
                subject_template_name="members/emails/password_reset_subject.txt",
                success_url=reverse_lazy("members:password_reset_sent"),
            )
        ),
        name="password_reset",
    ),
    path(
        "account/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="members/password_reset_sent.html"),
        name="password_reset_sent",
    ),
    path(
        "account/password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="members/password_reset_confirm.html",
            success_url=reverse_lazy("members:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "account/password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="members/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("account/saved-cars/", favourite_views.favourite_list, name="favourites"),
    path("account/saved-cars/<int:pk>/", favourite_views.favourite_update, name="favourite_update"),
    path("account/saved-cars/<int:pk>/delete/", favourite_views.favourite_delete, name="favourite_delete"),
    path("cars/<slug:slug>/save/", favourite_views.favourite_toggle_view, name="favourite_toggle"),
    path("membership/credit-check/", views.credit_check, name="credit_check"),
]
