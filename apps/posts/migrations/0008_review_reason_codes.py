"""Review reasons become reason codes (a JSON list of `{"code", "params"}`): an existing sentence
is kept as a `posts.note` reason holding its text, an empty one becomes []."""

from django.db import migrations, models


def _quote_texts(apps, schema_editor):
    # The column is still text here: write each value as the JSON it will be cast to.
    import json

    PostItem = apps.get_model("posts", "PostItem")
    for row in PostItem._base_manager.exclude(review_reason="").only("id", "review_reason").iterator():
        note = [{"code": "posts.note", "params": {"text": row.review_reason}}]
        PostItem._base_manager.filter(pk=row.pk).update(review_reason=json.dumps(note, ensure_ascii=False))
    PostItem._base_manager.filter(review_reason="").update(review_reason="[]")


class Migration(migrations.Migration):
    dependencies = [("posts", "0007_postitem_video_state")]

    operations = [
        migrations.RunPython(_quote_texts, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="postitem",
            name="review_reason",
            field=models.JSONField(blank=True, default=list, verbose_name="review reason"),
        ),
    ]
