from django.conf import settings
from django.core.management.base import BaseCommand

from connections.models import ContactPoint
from connections.phones import rekey_phones


class Command(BaseCommand):
    help = (
        "Work out the match key of every stored phone number again, with the PHONE_REGION "
        "set now. Run it after changing PHONE_REGION, so imports match numbers stored before."
    )

    def handle(self, *args, **options):
        changed = rekey_phones(ContactPoint)
        region = settings.PHONE_REGION or "none"
        self.stdout.write(f"Phone keys worked out again (region {region}): {changed} changed.")
