"""Reason codes of the policy engine's rules (code + parameters, rendered in the viewer's language)."""

from django.utils.translation import gettext_lazy as _

from apps.core.reasons import define

PREFIX = "policy."

# A rule an organization wrote itself has no code: its own description (in its author's words) is the reason.
RULE_DESCRIPTION = define("policy.rule_description", _("%(description)s (rule %(code)s)."))

REASONS = {
    "medical_cure": define(
        "policy.medical_cure", _("Claims to cure, treat or prevent an illness (“%(text)s”) are not allowed.")
    ),
    "medical_stop_treatment": define(
        "policy.medical_stop_treatment",
        _("Telling people to stop or replace their treatment (“%(text)s”) endangers health."),
    ),
    "medical_treatment_refusal": define(
        "policy.medical_treatment_refusal", _("Advising against medical treatment (“%(text)s”) endangers health.")
    ),
    "medical_anti_vaccine": define(
        "policy.medical_anti_vaccine", _("Claims against vaccination (“%(text)s”) are health misinformation.")
    ),
    "medical_prescription": define(
        "policy.medical_prescription",
        _("Prescription-only medicine offered without a prescription (“%(text)s”)."),
    ),
    "medical_health_claim": define(
        "policy.medical_health_claim", _("Health claim (“%(text)s”): have it checked by an expert.")
    ),
    "financial_guarantee": define(
        "policy.financial_guarantee", _("Guaranteed or risk-free returns (“%(text)s”) must not be promised.")
    ),
    "financial_get_rich": define("policy.financial_get_rich", _("Get-rich-quick promise (“%(text)s”).")),
    "financial_leverage": define(
        "policy.financial_leverage", _("Borrowing or leverage to invest (“%(text)s”) is a risky financial call.")
    ),
    "financial_tip": define(
        "policy.financial_tip", _("Investment tip (“%(text)s”): needs a review and the usual risk notice.")
    ),
    "financial_performance": define(
        "policy.financial_performance",
        _("Performance figure (“%(text)s”) without the required risk disclaimer."),
    ),
    "financial_debt_trick": define(
        "policy.financial_debt_trick", _("Debt trick (“%(text)s”): misleading financial advice.")
    ),
    "financial_tax_evasion": define(
        "policy.financial_tax_evasion", _("Encouraging tax evasion (“%(text)s”) is not allowed.")
    ),
    "political_vote_call": define(
        "policy.political_vote_call", _("Call to vote (“%(text)s”): political content needs a review.")
    ),
    "political_donation": define("policy.political_donation", _("Political donation ask (“%(text)s”) needs a review.")),
    "political_candidate": define(
        "policy.political_candidate", _("Promotion of a party or candidate (“%(text)s”) needs a review.")
    ),
    "political_voting_misinformation": define(
        "policy.political_voting_misinformation",
        _("False information about how, when or where to vote (“%(text)s”)."),
    ),
    "taboo_weapons": define("policy.taboo_weapons", _("Weapons or explosives (“%(text)s”) are not allowed.")),
    "taboo_drugs": define("policy.taboo_drugs", _("Offering or buying illegal drugs (“%(text)s”) is not allowed.")),
    "taboo_self_harm": define("policy.taboo_self_harm", _("Self-harm or suicide content (“%(text)s”) is not allowed.")),
    "taboo_dangerous": define(
        "policy.taboo_dangerous",
        _("Dares to dangerous stunts, or gambling aimed at minors (“%(text)s”), are not allowed."),
    ),
    "taboo_hate": define("policy.taboo_hate", _("Hate against a group of people (“%(text)s”) is not allowed.")),
    "taboo_minors": define("policy.taboo_minors", _("Sexual content involving minors (“%(text)s”) is never allowed.")),
    "taboo_engagement_fraud": define(
        "policy.taboo_engagement_fraud", _("Fake engagement (“%(text)s”) breaks every platform's rules.")
    ),
    "disclosure_paid_partnership": define(
        "policy.disclosure_paid_partnership",
        _("A paid partnership must be labelled in the caption (#anzeige, #werbung, “paid partnership”, #ad)."),
    ),
    "disclosure_paid_mention": define(
        "policy.disclosure_paid_mention",
        _("The caption mentions a payment or sponsor (“%(text)s”) but the post is not marked as commercial content."),
    ),
    "disclosure_ai_label": define(
        "policy.disclosure_ai_label", _("AI-generated content needs an AI label (e.g. #KIgeneriert, #AIgenerated).")
    ),
    "platform_engagement_bait": define(
        "policy.platform_engagement_bait", _("Engagement bait (“%(text)s”) is demoted by the platforms.")
    ),
    "platform_link": define(
        "policy.platform_link", _("Links in captions (“%(text)s”) are not clickable on this platform.")
    ),
    "platform_hashtag_count": define(
        "policy.platform_hashtag_count", _("%(measured)s hashtags; at most %(limit)s are allowed here.")
    ),
    "platform_length": define(
        "policy.platform_length", _("%(measured)s characters; at most %(limit)s are allowed here.")
    ),
    "classifier": define(
        "policy.classifier",
        _("The text resembles content that needs a review, though no rule names it: please check it."),
    ),
    "model_opinion": define(
        "policy.model_opinion", _("The AI reviewer sees a possible problem (“%(text)s”): please check it.")
    ),
}
