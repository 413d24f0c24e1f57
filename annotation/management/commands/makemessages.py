"""Django's makemessages, which also finds strings marked with ``_lazy``: modules that use
both gettext (``_``) and gettext_lazy import the lazy one under that name."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]
