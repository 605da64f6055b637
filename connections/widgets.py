"""Selects of all of a user's people, rendered in one pass.

Django renders each <option> through its own template; with 10,000 people the two people
selects on the person page took most of its time (see docs/benchmarks.md). These render the
same markup with one string join. Flat choices only: (value, label) pairs, no groups.
"""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe


class _OnePassOptions:
    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        chosen = set(self.format_value(value))
        options = "".join(
            f'<option value="{escape(str(key))}"{" selected" if str(key) in chosen else ""}>'
            f"{escape(str(label))}</option>"
            for key, label in self.choices
        )
        return mark_safe(f'<select name="{escape(name)}"{flatatt(final_attrs)}>{options}</select>')


class PeopleSelect(_OnePassOptions, forms.Select):
    pass


class PeopleSelectMultiple(_OnePassOptions, forms.SelectMultiple):
    pass
