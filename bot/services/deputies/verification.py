"""Who a Telegram user is: verification against the registry, binding and unbinding."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from bot.services.deputies.identity_cache import IdentityCache
from bot.services.deputies.phones import InvalidPhoneError, mask_phone, normalize_phone
from bot.services.deputies.view import DeputyView
from storage.base import utcnow
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


class VerificationOutcome(StrEnum):
    BOUND = "bound"
    ALREADY_BOUND = "already_bound"  # the same account shared its contact again
    NOT_OWN_CONTACT = "not_own_contact"
    INVALID_PHONE = "invalid_phone"
    UNKNOWN_PHONE = "unknown_phone"
    INACTIVE = "inactive"
    PHONE_TAKEN = "phone_taken"  # the deputy is bound to another Telegram account
    ACCOUNT_TAKEN = "account_taken"  # this account is bound to another deputy


@dataclass(frozen=True)
class VerificationResult:
    outcome: VerificationOutcome
    deputy: DeputyView | None = None


class DeputyService:
    def __init__(self, uow: UnitOfWork, identities: IdentityCache | None = None) -> None:
        self._uow = uow
        self._identities = identities or IdentityCache(ttl=0)

    async def current(self, telegram_user_id: int) -> DeputyView | None:
        await self._refresh()
        return self._identities.get(telegram_user_id)

    async def deactivated(self, telegram_user_id: int) -> bool:
        """The account is bound to a deputy the registry deactivated (停用)."""
        await self._refresh()
        return self._identities.deactivated(telegram_user_id)

    async def _refresh(self) -> None:
        if self._identities.fresh:
            return
        deputies = await self._uow.deputies.bound_active()
        inactive = frozenset(await self._uow.deputies.bound_inactive_ids())
        self._identities.replace(
            {d.telegram_user_id: DeputyView.of(d) for d in deputies if d.telegram_user_id},
            inactive,
        )

    async def verify_contact(
        self, telegram_user_id: int, contact_user_id: int | None, phone_raw: str
    ) -> VerificationResult:
        actor = f"tg:{telegram_user_id}"
        # A forwarded or picked contact carries someone else's user_id (or none at all).
        if contact_user_id != telegram_user_id:
            await self._refuse(actor, VerificationOutcome.NOT_OWN_CONTACT, phone_raw)
            return VerificationResult(VerificationOutcome.NOT_OWN_CONTACT)
        try:
            phone = normalize_phone(phone_raw)
        except InvalidPhoneError:
            await self._refuse(actor, VerificationOutcome.INVALID_PHONE, phone_raw)
            return VerificationResult(VerificationOutcome.INVALID_PHONE)

        deputy = await self._uow.deputies.by_phone(phone)
        if deputy is None:
            await self._refuse(actor, VerificationOutcome.UNKNOWN_PHONE, phone)
            return VerificationResult(VerificationOutcome.UNKNOWN_PHONE)
        if not deputy.active:
            await self._refuse(actor, VerificationOutcome.INACTIVE, phone)
            return VerificationResult(VerificationOutcome.INACTIVE)
        if deputy.telegram_user_id == telegram_user_id:
            return VerificationResult(VerificationOutcome.ALREADY_BOUND, DeputyView.of(deputy))
        if deputy.telegram_user_id is not None:
            await self._refuse(actor, VerificationOutcome.PHONE_TAKEN, phone)
            return VerificationResult(VerificationOutcome.PHONE_TAKEN)
        other = await self._uow.deputies.by_telegram_id(telegram_user_id)
        if other is not None:
            await self._refuse(actor, VerificationOutcome.ACCOUNT_TAKEN, phone)
            return VerificationResult(VerificationOutcome.ACCOUNT_TAKEN, DeputyView.of(other))

        deputy.telegram_user_id = telegram_user_id
        deputy.bound_at = utcnow()
        self._uow.audit.record(
            actor, "deputy.bind", entity="deputy", entity_id=deputy.id, after={"tg": actor}
        )
        await self._uow.commit()
        view = DeputyView.of(deputy)
        self._identities.bound(telegram_user_id, view)
        log.info("deputy %s bound to %s", deputy.id, actor)
        return VerificationResult(VerificationOutcome.BOUND, view)

    async def unbind(self, telegram_user_id: int) -> DeputyView | None:
        deputy = await self._uow.deputies.by_telegram_id(telegram_user_id)
        if deputy is None:
            return None
        view = DeputyView.of(deputy)
        deputy.telegram_user_id = None
        deputy.bound_at = None
        self._uow.audit.record(
            f"tg:{telegram_user_id}",
            "deputy.unbind",
            entity="deputy",
            entity_id=deputy.id,
            before={"tg": f"tg:{telegram_user_id}"},
        )
        await self._uow.commit()
        self._identities.unbound(telegram_user_id)
        return view

    async def _refuse(self, actor: str, outcome: VerificationOutcome, phone: str) -> None:
        """Refusals are kept for admins (who may be missing someone from the registry)."""
        self._uow.audit.record(
            actor,
            "verification.refused",
            entity="deputy",
            after={"reason": outcome.value, "phone": phone},
        )
        await self._uow.commit()
        log.info("verification refused for %s: %s (%s)", actor, outcome, _masked(phone))


def _masked(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return mask_phone(digits) if digits else "-"
