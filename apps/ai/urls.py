from django.urls import path

from apps.ai import views, views_knowledge

# Mounted under /o/<org_slug>/ai/ by viralforge/urls.py.
urlpatterns = [
    path("knowledge/", views_knowledge.knowledge_list, name="knowledge_list"),
    path("knowledge/add/", views_knowledge.knowledge_add, name="knowledge_add"),
    path("knowledge/search/", views_knowledge.knowledge_search, name="knowledge_search"),
    path("knowledge/reembed/", views_knowledge.knowledge_reembed, name="knowledge_reembed"),
    path("knowledge/<uuid:doc_id>/delete/", views_knowledge.knowledge_delete, name="knowledge_delete"),
    # Prompt library, brand voice and the AI decision log (apps/ai/views.py).
    path("prompts/", views.prompt_list, name="prompt_list"),
    path("prompts/<slug:key>/", views.prompt_edit, name="prompt_edit"),
    path("prompts/<slug:key>/diff/", views.prompt_diff, name="prompt_diff"),
    path("prompts/<slug:key>/reset/", views.prompt_reset, name="prompt_reset"),
    path("brand-voice/", views.brand_voice, name="brand_voice"),
    path("decisions/", views.ai_decisions, name="ai_decisions"),
    path("decisions/<uuid:decision_id>/", views.ai_decision_detail, name="ai_decision_detail"),
]
