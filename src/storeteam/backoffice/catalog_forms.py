"""Forms of the catalog workspace. Fields per language are made from settings.LANGUAGES."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from storeteam.catalog.images import ALT_MAX_CHARS, IMAGES_PER_PRODUCT
from storeteam.catalog.models import TaxClass
from storeteam.catalog.product_services import Problem, Texts
from storeteam.storefront.models import MerchandisingAction


def _language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


class TextsForm(forms.Form):
    """Name, address (slug) and description in every language; only the main one is required."""

    def __init__(self, *args: Any, with_description: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.languages = [code for code, _name in settings.LANGUAGES]
        for code in self.languages:
            language = _language_name(code)
            self.fields[f"name_{code}"] = forms.CharField(
                label=_("Name (%(language)s)") % {"language": language},
                max_length=200,
                required=code == settings.LANGUAGE_CODE,
            )
            self.fields[f"slug_{code}"] = forms.CharField(
                label=_("Address (%(language)s)") % {"language": language},
                max_length=200,
                required=False,
                help_text=_("Left empty, it is made from the name."),
            )
            if with_description:
                self.fields[f"description_{code}"] = forms.CharField(
                    label=_("Description (%(language)s)") % {"language": language},
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 4}),
                )

    def texts(self) -> dict[str, Texts]:
        """The texts of every language as the form means them: a language left empty shows the
        main language's name and description, an empty address is made from the name."""
        data = self.cleaned_data
        main = settings.LANGUAGE_CODE
        texts = {}
        for code in self.languages:
            name = data.get(f"name_{code}") or data.get(f"name_{main}") or ""
            slug = data.get(f"slug_{code}") or name
            description = data.get(f"description_{code}") or data.get(f"description_{main}")
            texts[code] = Texts(
                name=name,
                slug=slugify(slug, allow_unicode=True)[:200].strip("-"),
                description=(description or "") if f"description_{code}" in self.fields else None,
            )
        return texts

    def language_rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        rows = []
        for code in self.languages:
            names = [f"name_{code}", f"slug_{code}", f"description_{code}"]
            rows.append((_language_name(code), [self[n] for n in names if n in self.fields]))
        return rows

    def add_problems(self, problems: list[Problem]) -> list[str]:
        """Show each problem at its field; return those that belong to no field of this form."""
        rest = []
        for problem in problems:
            if problem.field in self.fields:
                self.add_error(problem.field, problem.message)
            else:
                rest.append(problem.message)
        return rest


class ProductForm(TextsForm):
    def __init__(self, *args: Any, categories: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"] = forms.TypedChoiceField(
            label=_("Category"), choices=categories, coerce=int
        )
        self.fields["tax_class"] = forms.ChoiceField(label=_("Tax class"), choices=TaxClass.choices)
        self.fields["is_published"] = forms.BooleanField(
            label=_("Published in the store"), required=False
        )

    def placement_fields(self) -> list[forms.BoundField]:
        return [self["category"], self["tax_class"]]


class ProductNewForm(forms.Form):
    """A simple product: one variant, a name, a category and a price per currency."""

    def __init__(
        self, *args: Any, categories: list[tuple[int, str]], currencies: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"] = forms.CharField(
            label=_("Name (%(language)s)") % {"language": _language_name(settings.LANGUAGE_CODE)},
            max_length=200,
        )
        self.fields["category"] = forms.TypedChoiceField(
            label=_("Category"), choices=categories, coerce=int
        )
        self.fields["sku"] = forms.CharField(label=_("SKU"), max_length=64)
        self.currencies = currencies
        for currency in currencies:
            self.fields[f"price_{currency}"] = forms.DecimalField(
                label=_("Price in %(currency)s") % {"currency": currency},
                min_value=0,
                max_digits=12,
                decimal_places=2,
                required=False,
            )


class CategoryForm(TextsForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["is_published"] = forms.BooleanField(
            label=_("Published in the store"), required=False
        )


class VariantRowForm(forms.Form):
    sku = forms.CharField(label=_("SKU"), max_length=64, required=False)
    barcode = forms.CharField(label=_("Barcode"), max_length=32, required=False)
    weight_grams = forms.IntegerField(label=_("Weight (g)"), min_value=0, required=False)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        help_text=_("For a new variant: code=value|code=value, e.g. colour=red|size=m."),
    )


class SortingRuleForm(forms.Form):
    sku = forms.CharField(label=_("SKU of the product"), max_length=64, required=False)
    action = forms.ChoiceField(label=_("Rule"), choices=MerchandisingAction.choices)
    position = forms.IntegerField(label=_("Position"), min_value=1, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        pin = data.get("action") == MerchandisingAction.PIN
        if data.get("sku") and pin and not data.get("position"):
            self.add_error("position", _("A pinned product needs a position."))
        return data


SortingRuleFormSet = forms.formset_factory(SortingRuleForm, extra=3, max_num=200)


class PictureTextsForm(forms.Form):
    """A picture's alternative text in every language: what it shows, for people who cannot
    see it (screen readers, a picture that does not load)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.languages = [code for code, _name in settings.LANGUAGES]
        for code in self.languages:
            self.fields[f"alt_{code}"] = forms.CharField(
                label=_("Alternative text (%(language)s)") % {"language": _language_name(code)},
                max_length=ALT_MAX_CHARS,
                required=False,
            )

    def alt(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"alt_{code}", "") for code in self.languages}

    def alt_fields(self) -> list[forms.BoundField]:
        return [self[f"alt_{code}"] for code in self.languages]


PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


class PictureUploadForm(PictureTextsForm):
    """A new picture of a product. The form checks the file's name; the catalog checks its
    size and that it really is a JPEG, PNG or WebP picture before anything is stored."""

    file = forms.FileField(label=_("Picture file"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "JPEG, PNG or WebP, at most %(megabytes)s MB; up to %(count)s pictures a product. "
            "The first picture is the one on product cards and in shared links."
        ) % {
            "megabytes": settings.CATALOG_IMAGE_MAX_BYTES // (1024 * 1024),
            "count": IMAGES_PER_PRODUCT,
        }
        self.fields["file"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(PICTURE_SUFFIXES):
            raise forms.ValidationError(
                _("Choose a JPEG, PNG or WebP picture (a .jpg, .jpeg, .png or .webp file).")
            )
        return upload


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, comma- or semicolon-separated, with the columns of an export."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("Upload a .csv file."))
        return upload
