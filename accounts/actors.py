"""Who is acting: every service takes an `actor`, so rules and the timeline know the party."""

from dataclasses import dataclass

from accounts.models import MERCHANT_WORKERS, Organization, Role, User


class Party:
    MERCHANT = "merchant"
    SUPPLIER = "supplier"
    PLATFORM = "platform"  # an operator in the admin
    SYSTEM = "system"  # a deadline or another automatic rule


@dataclass(frozen=True)
class Actor:
    party: str
    user: User | None = None
    organization: Organization | None = None
    role: str | None = None

    @classmethod
    def member(cls, *, user: User, organization: Organization, role: str) -> "Actor":
        party = Party.MERCHANT if organization.is_merchant else Party.SUPPLIER
        return cls(party=party, user=user, organization=organization, role=role)

    @classmethod
    def platform(cls, *, user: User) -> "Actor":
        return cls(party=Party.PLATFORM, user=user)

    @classmethod
    def system(cls) -> "Actor":
        return cls(party=Party.SYSTEM)

    @property
    def is_merchant(self) -> bool:
        return self.party == Party.MERCHANT

    @property
    def is_supplier(self) -> bool:
        return self.party == Party.SUPPLIER

    @property
    def can_work(self) -> bool:
        """May change orders and disputes (merchant viewers only read)."""
        if self.is_merchant:
            return self.role in MERCHANT_WORKERS
        return self.is_supplier or self.party in (Party.PLATFORM, Party.SYSTEM)

    @property
    def display_name(self) -> str:
        if self.user is not None:
            return self.user.get_short_name()
        return "Redress"

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER
