"""OpenAI through the official SDK: scripts (strict JSON schema) and images (GPT image models)."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import openai
from PIL import Image

from framecast.core.errors import ContentRejected, ProviderError, ProviderTimeout, ProviderUnavailable, ScriptError
from framecast.core.models import Script
from framecast.providers.base import ScriptBrief
from framecast.providers.llm_script import (
    IDEAS_SYSTEM_PROMPT,
    SYSTEM_PROMPT,
    TOPIC_IDEAS_SCHEMA,
    Reply,
    TopicRequest,
    ideas_message,
    parse_ideas,
    script_schema,
    write_with_repair,
)
from framecast.transport.errors import classify, redact, retry_after_from
from framecast.transport.retry import RetryPolicy, with_retries


def translate(exc: Exception, secrets: list[str]) -> ProviderError:
    """The framecast error for an OpenAI SDK exception (the SDK's own retries are off)."""
    if isinstance(exc, openai.APITimeoutError):
        return ProviderTimeout(redact(f"openai: timed out: {exc}", secrets), provider="openai")
    if isinstance(exc, openai.APIConnectionError):  # the SDK says only "Connection error.": name the cause
        cause = f" ({type(exc.__cause__).__name__}: {exc.__cause__})" if exc.__cause__ else ""
        return ProviderUnavailable(redact(f"openai: connection failed: {exc}{cause}", secrets), provider="openai")
    if isinstance(exc, openai.APIStatusError):
        return classify(
            "openai",
            exc.status_code,
            str(getattr(exc, "message", exc)),
            str(getattr(exc, "code", "") or ""),
            retry_after_from(exc.response.headers),
            secrets,
        )
    return ProviderUnavailable(
        redact(f"openai: unreadable response: {type(exc).__name__}: {exc}", secrets), provider="openai"
    )


REASONING_MODELS = ("gpt-5", "gpt-6", "o1", "o3", "o4")


def reasoning(model: str) -> dict:
    """Low reasoning effort for reasoning models: their thinking counts against max_completion_tokens, and a
    script needs little of it — at the default effort a 4,000-token cap can end in finish_reason=length."""
    return {"reasoning_effort": "low"} if model.startswith(REASONING_MODELS) else {}


class OpenAIScriptWriter:
    name = "openai"

    def __init__(
        self,
        client: openai.OpenAI,
        model: str,
        secrets: list[str],
        retry: RetryPolicy = RetryPolicy(),
        max_completion_tokens: int = 4000,
        limiter=None,
    ):
        self.client, self.model, self.secrets, self.retry = client, model, secrets, retry
        self.limiter = limiter  # the provider's shared limiter: SDK calls take their turn like HTTP ones
        self.max_tokens = max_completion_tokens
        self.tokens_used = 0

    def _ask(self, messages: list[dict], max_tokens: int, name: str, schema: dict, system: str) -> Reply:
        fmt = {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}

        def attempt():
            try:
                return self.client.chat.completions.create(
                    model=self.model,
                    messages=[{"role": "system", "content": system}, *messages],
                    max_completion_tokens=max_tokens,
                    response_format=fmt,
                    **reasoning(self.model),
                )
            except openai.OpenAIError as exc:
                raise translate(exc, self.secrets) from None  # the SDK error holds the request headers

        completion = with_retries(attempt, self.retry, limiter=self.limiter)
        if completion.usage:
            self.tokens_used += completion.usage.total_tokens
        choice = completion.choices[0]
        if choice.message.refusal:
            raise ContentRejected(f"openai refused: {choice.message.refusal}", provider="openai")
        if choice.finish_reason == "content_filter":
            raise ContentRejected("openai stopped the answer for content policy", provider="openai")
        return Reply(choice.message.content or "", choice.finish_reason == "length", "finish_reason=length")

    def write(self, brief: ScriptBrief) -> Script:
        """A script from the model; one repair round if the JSON is cut off or breaks the schema."""
        schema = script_schema(brief)
        return write_with_repair(
            "openai",
            lambda messages, tokens: self._ask(messages, tokens, "video_script", schema, SYSTEM_PROMPT),
            brief,
            self.max_tokens,
        )

    def propose_topics(self, request: TopicRequest) -> list[str]:
        """New topic ideas for a channel whose backlog is used up."""
        reply = self._ask(
            [{"role": "user", "content": ideas_message(request)}],
            self.max_tokens,
            "topic_ideas",
            TOPIC_IDEAS_SCHEMA,
            IDEAS_SYSTEM_PROMPT,
        )
        return parse_ideas("openai", reply)


def image_size(width: int, height: int, long_side: int = 1536) -> tuple[int, int]:
    """The model's size for a frame shape: long side 1536, both sides multiples of 16."""
    scale = long_side / max(width, height)
    return (max(round(width * scale / 16) * 16, 16), max(round(height * scale / 16) * 16, 16))


def usage_usd(model: str, usage) -> float | None:
    """What an image cost by the response's `usage` tokens at the model's token prices (None: no usage, or no
    token prices for the model)."""
    from framecast.providers.openai import IMAGE_TOKEN_PRICES

    prices = IMAGE_TOKEN_PRICES.get(model)
    if usage is None or prices is None:
        return None
    details = getattr(usage, "input_tokens_details", None)
    image_in = int(getattr(details, "image_tokens", 0) or 0)
    text_in = int(getattr(details, "text_tokens", None) or max(int(usage.input_tokens or 0) - image_in, 0))
    output = int(usage.output_tokens or 0)
    return text_in * prices["text_input"] + image_in * prices["image_input"] + output * prices["output"]


class OpenAIImageGenerator:
    name = "openai"

    def __init__(
        self,
        client: openai.OpenAI,
        model: str,
        secrets: list[str],
        retry: RetryPolicy = RetryPolicy(),
        limiter=None,
        quality: str = "medium",
    ):
        self.client, self.model, self.secrets, self.retry, self.limiter = client, model, secrets, retry, limiter
        self.quality = quality
        self.reported_usd: float | None = None  # the last image's cost by its usage tokens (None: not reported)

    def generate(self, prompt: str, *, width: int, height: int, seed: int, out: Path) -> Path:
        w, h = image_size(width, height)
        self.reported_usd = None

        def attempt():
            try:
                return self.client.images.generate(
                    model=self.model, prompt=prompt, size=f"{w}x{h}", n=1, quality=self.quality
                )
            except openai.OpenAIError as exc:
                raise translate(exc, self.secrets) from None  # the SDK error holds the request headers

        result = with_retries(attempt, self.retry, limiter=self.limiter)
        self.reported_usd = usage_usd(self.model, getattr(result, "usage", None))
        if not result.data or not result.data[0].b64_json:
            raise ProviderUnavailable("openai: image response carried no b64_json", provider="openai")
        image = Image.open(io.BytesIO(base64.b64decode(result.data[0].b64_json))).convert("RGB")
        out.parent.mkdir(parents=True, exist_ok=True)
        image.resize((width, height), Image.LANCZOS).save(out, "PNG")
        return out


class OpenAITextToSpeech:
    """Speech from /audio/speech; word timing from the offline aligner (`transcribe_model=None`) or from
    whisper-1's word timestamps on that audio.

    OpenAI shuts all speech models down on 2027-01-06 (and whisper-1 on 2027-02-26): ElevenLabs is
    the primary cloud voice; this stays for accounts that only have OpenAI.
    """

    name = "openai"

    def __init__(
        self,
        client: openai.OpenAI,
        model: str,
        voice: str,
        secrets: list[str],
        retry: RetryPolicy = RetryPolicy(),
        transcribe_model: str | None = "whisper-1",
        limiter=None,
    ):
        self.client, self.model, self.voice, self.secrets, self.retry = client, model, voice, secrets, retry
        self.limiter = limiter
        self.transcribe_model = transcribe_model

    def _call(self, fn):
        def attempt():
            try:
                return fn()
            except openai.OpenAIError as exc:
                raise translate(exc, self.secrets) from None  # the SDK error holds the request headers

        return with_retries(attempt, self.retry, limiter=self.limiter)

    def synthesize(self, text: str, *, out: Path):
        from framecast.media import ffmpeg
        from framecast.media.align import align_words
        from framecast.providers.base import Speech

        if len(text) > 4096:
            raise ScriptError(f"narration of {len(text)} characters is over OpenAI speech's 4096 limit")
        audio = self._call(
            lambda: self.client.audio.speech.create(
                model=self.model, voice=self.voice, input=text, response_format="wav"
            )
        )
        path = out.with_suffix(".wav")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(audio.content)
        duration = ffmpeg.duration(path)
        if self.transcribe_model is None:
            from framecast.media import align

            words = align.timed_words(path, text, duration)
            return Speech(path=path, duration=duration, words=words, engine=f"openai:{self.model}:{self.voice}")
        with path.open("rb") as fh:
            transcript = self._call(
                lambda: self.client.audio.transcriptions.create(
                    model=self.transcribe_model,
                    file=fh,
                    response_format="verbose_json",
                    timestamp_granularities=["word"],
                )
            )
        spans = [(float(w.start), float(w.end)) for w in (getattr(transcript, "words", None) or [])]
        words = align_words(text.split(), spans) if spans else align_words(text.split(), [(0.1, duration - 0.1)])
        return Speech(path=path, duration=duration, words=words, engine=f"openai:{self.model}:{self.voice}")


class OpenAIEmbeddings:
    """Text embeddings (used to keep a channel from repeating its recent topics)."""

    name = "openai"
    BATCH = 2048  # inputs per request

    def __init__(
        self, client: openai.OpenAI, model: str, secrets: list[str], retry: RetryPolicy = RetryPolicy(), limiter=None
    ):
        self.client, self.model, self.secrets, self.retry, self.limiter = client, model, secrets, retry, limiter
        self.tokens_used = 0

    def embed(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.BATCH):
            batch = texts[start : start + self.BATCH]

            def attempt():
                try:
                    return self.client.embeddings.create(model=self.model, input=batch)
                except openai.OpenAIError as exc:
                    raise translate(exc, self.secrets) from None  # the SDK error holds the request headers

            result = with_retries(attempt, self.retry, limiter=self.limiter)
            vectors += [item.embedding for item in sorted(result.data, key=lambda d: d.index)]
            usage = getattr(result, "usage", None)
            self.tokens_used += int(getattr(usage, "total_tokens", 0) or getattr(usage, "prompt_tokens", 0) or 0)
        return vectors
