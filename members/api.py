"""The members API for the phone app: register, token, me, credit check.

May I test-drive a model? (``/api/v1/me/eligibility/``) is testdrives' (``testdrives.api``).

One view per operation with nested Input/Output serializers; views call services and selectors
and let domain errors reach ``vendingstore.api_errors.api_exception_handler``.
"""

from typing import cast

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from members.models import CreditBand, Member, Tier
from members.rules import RuleResult
from members.selectors import member_get_for_user, member_standing
from members.services import (
    member_correct,
    member_credit_check,
    member_delete_self,
    member_export,
)
from members.services.signup import signup_code_send, signup_finish, signup_request
from members.services.tokens import (
    account_logout_everywhere,
    account_token_create,
    account_token_list,
    account_token_revoke,
)
from vendingstore.api_errors import ApplicationError

TAGS = ["members"]
ERROR = inline_serializer(
    "MemberErrorOutput", {"code": serializers.CharField(), "detail": serializers.CharField()}
)
NOT_LOGGED_IN = OpenApiResponse(ERROR, description="No valid token or session, or no member profile.")


class MemberRequest(Request):
    """The request a ``MemberApi`` view is handed: ``IsMember`` has put the member on it.

    For type checking: at run time it is DRF's own Request, with the attribute set on it.
    """

    member: Member


class IsMember(BasePermission):
    """Logged in, with a (not deleted) member profile, which the view then finds on the request."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        member = member_get_for_user(user=request.user)
        if member is None:
            return False
        cast(MemberRequest, request).member = member
        return True


class MemberApi(APIView):
    # Token first, so an anonymous call gets 401 with "WWW-Authenticate: Token", not a bare 403.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, IsMember]


# --- Output shapes shared by several operations ---------------------------------------------


class RuleOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    passed = serializers.BooleanField()
    message = serializers.CharField(help_text="The reason in the request's language.")
    reason = serializers.DictField(
        child=serializers.CharField(), help_text="The reason in `en` and `zh-hans`."
    )
    waived_by_exception = serializers.IntegerField(allow_null=True)
    used = serializers.IntegerField(allow_null=True, help_text="Quota rules: drives counted.")
    limit = serializers.IntegerField(allow_null=True)
    next_free_at = serializers.DateTimeField(
        allow_null=True, help_text="Rolling quota: when the count next drops by one."
    )
    # A declared field: DRF's serializer metaclass takes it off the class, so it does not replace
    # Field.required (a bool) as the stub believes.
    required = serializers.BooleanField(  # type: ignore[assignment]
        help_text="False for an optional item (face pickup): it never refuses a booking."
    )


def rule_output(rule: RuleResult) -> dict[str, object]:
    return {
        "code": rule.code,
        "passed": rule.passed,
        "message": rule.reason.render(),
        "reason": rule.reason.in_every_language(),
        "waived_by_exception": rule.waived_by,
        "used": rule.used,
        "limit": rule.limit,
        "next_free_at": rule.next_free_at,
        "required": rule.required,
    }


class CreditReportOutputSerializer(serializers.Serializer):
    provider = serializers.CharField()
    score = serializers.IntegerField()
    band = serializers.ChoiceField(choices=CreditBand.choices)
    fetched_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class MeOutputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    mobile = serializers.CharField()
    full_name = serializers.CharField()
    preferred_language = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    id_number_last4 = serializers.CharField()
    licence_number_last4 = serializers.CharField()
    licence_expires_on = serializers.DateField(allow_null=True)
    joined_at = serializers.DateTimeField()
    tier = serializers.ChoiceField(choices=Tier.choices, help_text="Derived now from the rules below.")
    credit_report = CreditReportOutputSerializer(allow_null=True, help_text="The newest report.")
    rules = RuleOutputSerializer(
        many=True, help_text="The member's own rules (credit, licence, age, blacklist); the tier."
    )


ME_PROFILE_FIELDS = (
    "mobile",
    "full_name",
    "preferred_language",
    "date_of_birth",
    "id_number_last4",
    "licence_number_last4",
    "licence_expires_on",
    "joined_at",
)


def me_output(member: Member) -> dict[str, object]:
    standing = member_standing(member=member, at=timezone.now())
    me = {name: getattr(member, name) for name in ME_PROFILE_FIELDS}
    me.update(
        email=member.user.email,
        tier=standing.tier,
        credit_report=standing.report,
        rules=[rule_output(r) for r in standing.rules],
    )
    return MeOutputSerializer(me).data


# --- Accounts -------------------------------------------------------------------------------


class RegisterCodeApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    class RegisterCodeInputSerializer(serializers.Serializer):
        mobile = serializers.CharField(max_length=20, help_text="A mainland China mobile number.")

    class RegisterCodeOutputSerializer(serializers.Serializer):
        challenge = serializers.CharField(help_text="Send it back with the code to `members/register/`.")
        expires_in = serializers.IntegerField(help_text="Seconds the code stays valid.")

    @extend_schema(
        tags=TAGS,
        summary="Sign up, step 1: text me a code",
        description="Texts a six-digit code to the mobile number, to prove it is the caller's. "
        "The answer is the same whether or not the number has an account.",
        request=RegisterCodeInputSerializer,
        responses={200: RegisterCodeOutputSerializer, 429: ERROR},
    )
    def post(self, request: Request) -> Response:
        serializer = self.RegisterCodeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        challenge = signup_code_send(mobile=serializer.validated_data["mobile"])
        return Response({"challenge": challenge, "expires_in": settings.SIGNUP_CODE_MINUTES * 60})


class RegisterApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    class RegisterInputSerializer(serializers.Serializer):
        challenge = serializers.CharField(help_text="From `members/register/code/`.")
        code = serializers.CharField(max_length=6, help_text="The six digits from the text message.")
        email = serializers.EmailField()
        password = serializers.CharField(write_only=True, style={"input_type": "password"})
        full_name = serializers.CharField(max_length=120)
        id_number = serializers.CharField(max_length=20, help_text="PRC resident ID number (18 characters).")
        date_of_birth = serializers.DateField()
        licence_number = serializers.CharField(max_length=20)
        licence_expires_on = serializers.DateField()
        preferred_language = serializers.ChoiceField(choices=["en", "zh-hans"], default="zh-hans")

    class RegisterOutputSerializer(serializers.Serializer):
        detail = serializers.CharField()

    @extend_schema(
        tags=TAGS,
        summary="Sign up, step 2: the code and my details",
        description="Checks the code and the details (400 with the field's message when one is "
        "wrong), then always answers 202: the next step comes by e-mail. A new address gets a "
        "link to finish (`members/register/finish/`); when the e-mail, mobile or ID number "
        "already has an account, its owner is told instead. Nothing here says who is registered.",
        request=RegisterInputSerializer,
        responses={202: RegisterOutputSerializer, 429: ERROR},
    )
    def post(self, request: Request) -> Response:
        serializer = self.RegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        signup_request(**serializer.validated_data, site=request.build_absolute_uri("/").rstrip("/"))
        detail = _("We have sent a message to the address you gave. Follow its link to open your account.")
        return Response({"detail": detail}, status=status.HTTP_202_ACCEPTED)


class RegisterFinishApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    class RegisterFinishInputSerializer(serializers.Serializer):
        token = serializers.CharField(help_text="The last part of the link in the e-mail.")

    class RegisterFinishOutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        expires_at = serializers.DateTimeField(help_text="Moves on with each use: it is an idle limit.")
        member = MeOutputSerializer()

    @extend_schema(
        tags=TAGS,
        summary="Sign up, step 3: open the account from the e-mailed link",
        description="Opens the account and returns an API token.",
        request=RegisterFinishInputSerializer,
        responses={201: RegisterFinishOutputSerializer, 409: ERROR},
    )
    def post(self, request: Request) -> Response:
        serializer = self.RegisterFinishInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = signup_finish(token=serializer.validated_data["token"])
        row, token = account_token_create(user=member.user)
        return Response(
            {"token": token, "expires_at": row.expiry, "member": me_output(member)},
            status=status.HTTP_201_CREATED,
        )


class TokenCreateApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    class TokenCreateInputSerializer(serializers.Serializer):
        username = serializers.CharField(help_text="E-mail address or mobile number.")
        password = serializers.CharField(style={"input_type": "password"})

    class TokenCreateOutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        expires_at = serializers.DateTimeField(help_text="Moves on with each use: it is an idle limit.")

    @extend_schema(
        tags=TAGS,
        summary="Log in: get an API token",
        description="Send the token as `Authorization: Token <token>`. Each login makes a new token "
        "(one per device); it expires after a while unused, and on a password change or reset. "
        "Repeated failures lock the account from this address for a while (429), as do many "
        "failures from one address across accounts.",
        request=TokenCreateInputSerializer,
        responses={
            200: TokenCreateOutputSerializer,
            400: OpenApiResponse(ERROR, description="Wrong e-mail/mobile or password."),
            429: OpenApiResponse(ERROR, description="Locked out after too many failures."),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.TokenCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # django-axes counts failures on the Django request; once it locks the account out,
        # its middleware answers 429 in place of this view (members.auth.axes_lockout_response).
        user = authenticate(request._request, **serializer.validated_data)
        if user is None:
            raise ApplicationError(_("Wrong e-mail, mobile number or password."))
        row, token = account_token_create(user=user)
        return Response({"token": token, "expires_at": row.expiry})


class TokenDeleteApi(MemberApi):
    @extend_schema(
        tags=TAGS,
        summary="Log out: revoke this API token",
        description="Revokes the token this request was made with; other devices stay logged in.",
        request=None,
        responses={204: None, 401: NOT_LOGGED_IN, 403: NOT_LOGGED_IN},
    )
    def post(self, request: MemberRequest) -> Response:
        if isinstance(request.auth, AuthToken):
            request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenOutputSerializer(serializers.Serializer):
    key = serializers.CharField(source="token_key", help_text="The token's first characters: its name.")
    created_at = serializers.DateTimeField(source="created")
    expires_at = serializers.DateTimeField(source="expiry")
    current = serializers.BooleanField(help_text="The token this request was made with.")


class TokenListApi(MemberApi):
    @extend_schema(
        tags=TAGS,
        summary="My logins: the live API tokens",
        responses={200: TokenOutputSerializer(many=True), 401: NOT_LOGGED_IN, 403: NOT_LOGGED_IN},
    )
    def get(self, request: MemberRequest) -> Response:
        tokens = list(account_token_list(user=request.member.user))
        for token in tokens:
            token.current = isinstance(request.auth, AuthToken) and token.digest == request.auth.digest
        return Response(TokenOutputSerializer(tokens, many=True).data)


class TokenRevokeApi(MemberApi):
    @extend_schema(
        tags=TAGS,
        summary="Revoke one of my API tokens",
        request=None,
        responses={204: None, 401: NOT_LOGGED_IN, 403: NOT_LOGGED_IN, 404: ERROR},
    )
    def post(self, request: MemberRequest, key: str) -> Response:
        account_token_revoke(user=request.member.user, token_key=key)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutEverywhereApi(MemberApi):
    @extend_schema(
        tags=TAGS,
        summary="Log out everywhere: revoke every API token",
        request=None,
        responses={204: None, 401: NOT_LOGGED_IN, 403: NOT_LOGGED_IN},
    )
    def post(self, request: MemberRequest) -> Response:
        account_logout_everywhere(user=request.member.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(MemberApi):
    @extend_schema(
        tags=TAGS,
        summary="My account and membership",
        description="Profile (secret numbers by their last four characters only), tier, the newest "
        "credit report and every rule with its reason in both languages.",
        responses={200: MeOutputSerializer, 401: NOT_LOGGED_IN, 403: NOT_LOGGED_IN},
    )
    def get(self, request: MemberRequest) -> Response:
        return Response(me_output(request.member))


class MeUpdateApi(MemberApi):
    class MeUpdateInputSerializer(serializers.Serializer):
        email = serializers.EmailField(required=False)
        mobile = serializers.CharField(max_length=20, required=False)
        preferred_language = serializers.ChoiceField(choices=["en", "zh-hans"], required=False)
        licence_number = serializers.CharField(max_length=20, required=False)
        licence_expires_on = serializers.DateField(required=False)

    @extend_schema(
        tags=TAGS,
        summary="Correct my details",
        description="Only these fields; name, ID number and date of birth are corrected by staff "
        "against a document.",
        request=MeUpdateInputSerializer,
        responses={
            200: MeOutputSerializer,
            400: OpenApiResponse(description="Field errors."),
            401: NOT_LOGGED_IN,
        },
    )
    def post(self, request: MemberRequest) -> Response:
        serializer = self.MeUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = member_correct(member=request.member, actor=request.member.user, **serializer.validated_data)
        return Response(me_output(member))


class MeExportApi(MemberApi):
    @extend_schema(
        tags=TAGS,
        summary="Export my data (JSON)",
        responses={200: OpenApiTypes.OBJECT, 401: NOT_LOGGED_IN},
    )
    def get(self, request: MemberRequest) -> Response:
        return Response(member_export(member=request.member, actor=request.member.user))


class MeDeleteApi(MemberApi):
    class MeDeleteInputSerializer(serializers.Serializer):
        password = serializers.CharField(style={"input_type": "password"}, help_text="Confirms it is you.")

    @extend_schema(
        tags=TAGS,
        summary="Delete my account",
        description="Anonymises the account and logs out everywhere. Refused (409) while a test "
        "drive is booked or under way.",
        request=MeDeleteInputSerializer,
        responses={204: None, 400: ERROR, 401: NOT_LOGGED_IN, 409: ERROR},
    )
    def post(self, request: MemberRequest) -> Response:
        serializer = self.MeDeleteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member_delete_self(member=request.member, password=serializer.validated_data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Credit and eligibility -----------------------------------------------------------------


class CreditCheckApi(MemberApi):
    @extend_schema(
        tags=TAGS,
        summary="Check my credit now",
        description="Fetches a new report from the credit provider and derives the tier again. "
        "503 when the bureau does not answer (nothing changes; try again later), 429 when the "
        "last check was moments ago.",
        request=None,
        responses={
            201: MeOutputSerializer,
            401: NOT_LOGGED_IN,
            409: ERROR,
            422: OpenApiResponse(ERROR, description="The bureau has no file for this ID number."),
            429: ERROR,
            503: OpenApiResponse(ERROR, description="The bureau did not answer: try again later."),
        },
    )
    def post(self, request: MemberRequest) -> Response:
        member_credit_check(member=request.member, requested_by=request.member.user)
        return Response(me_output(request.member), status=status.HTTP_201_CREATED)
