"""The OpenRouter sandbox driven by the official `openai` Python SDK as a real client over HTTP: streamed
chat completions (server-sent chunks ending in `[DONE]`) and embeddings in the SDK's default
`encoding_format: base64`, both as the real API answers them."""

import json

import pytest
from openai import OpenAI

from apps.ai.contracts import VariantOutput
from apps.ai.embeddings import cosine
from apps.ai.providers import strict_json_schema
from apps.sandbox.faults import clear_faults
from apps.sandbox.models import SandboxCall
from tests.support.credentials import SECRET

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sdk(live_server):
    clear_faults()
    client = OpenAI(base_url=live_server.url + "/sandbox/openrouter/api/v1", api_key=SECRET, max_retries=0)
    yield client
    client.close()


def test_streamed_chat_completion_with_a_json_schema(sdk):
    schema = strict_json_schema(VariantOutput.model_json_schema())
    stream = sdk.chat.completions.create(
        model="openai/gpt-5-mini",
        messages=[{"role": "system", "content": "Schreibe auf Deutsch."}, {"role": "user", "content": "Eine Caption."}],
        response_format={"type": "json_schema", "json_schema": {"name": "variant", "strict": True, "schema": schema}},
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert len(chunks) >= 3  # the content arrives in pieces
    assert chunks[0].choices[0].delta.role == "assistant"
    content = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    VariantOutput.model_validate_json(content)  # the pieces add up to an answer that fits the contract
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop" and last.usage.total_tokens > 0
    logged = SandboxCall.objects.filter(service="openrouter", path__endswith="chat/completions").latest("created_at")
    assert logged.status == 200 and logged.body["stream"] is True


def test_embeddings_in_the_sdks_default_base64_encoding(sdk, client):
    texts = ["Espresso mit frisch gemahlenen Bohnen", "Espresso aus frisch gemahlenen Bohnen", "Steuererklärung"]
    answer = sdk.embeddings.create(model="openai/text-embedding-3-small", input=texts, dimensions=64)
    vectors = [item.embedding for item in answer.data]
    assert [len(vector) for vector in vectors] == [64, 64, 64]
    assert cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2])
    logged = SandboxCall.objects.filter(service="openrouter", path__endswith="embeddings").latest("created_at")
    assert logged.body["encoding_format"] == "base64"  # what the SDK asked for by default
    # The decoded floats are the float32 values of the plain JSON answer.
    plain = client.post(
        "/sandbox/openrouter/api/v1/embeddings",
        json.dumps({"model": "openai/text-embedding-3-small", "input": texts, "dimensions": 64}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {SECRET}",
    ).json()
    for decoded, item in zip(vectors, plain["data"], strict=True):
        assert decoded == pytest.approx(item["embedding"], abs=1e-6)
