"""The one place that reads the description settings and picks the engine."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from descriptions.engines import DescriptionEngine
from descriptions.engines.template import TemplateEngine
from registry import conf as registry_conf
from registry.models import Algorithm, ModelVersion


def max_tries() -> int:
    """LLM drafts tried (each checked) before the template engine's draft replaces them."""
    return max(1, int(settings.DESCRIPTION_MAX_TRIES))


def engine_current() -> DescriptionEngine:
    """The LLM engine when ``DESCRIPTION_MODEL_PATH`` is set (with the adapter of ``DESCRIPTION_ADAPTER_PATH``,
    else of the active fine-tuned version), else the template engine. The model loads once per process."""
    path = settings.DESCRIPTION_MODEL_PATH
    if not path:
        return TemplateEngine()
    return _llm_engine(path, adapter_path(), bool(settings.DESCRIPTION_LOAD_IN_4BIT),
                       int(settings.DESCRIPTION_MAX_NEW_TOKENS))


def adapter_path() -> str | None:
    if settings.DESCRIPTION_ADAPTER_PATH:
        return str(settings.DESCRIPTION_ADAPTER_PATH)
    version = ModelVersion.objects.filter(algorithm=Algorithm.LORA, active=True).first()
    return str(registry_conf.models_dir() / version.artifact_path) if version is not None else None


@lru_cache(maxsize=2)
def _llm_engine(path: str, adapter: str | None, load_in_4bit: bool, max_new_tokens: int) -> DescriptionEngine:
    from descriptions.engines.llm import LlmEngine  # transformers and torch: only where an LLM is configured

    return LlmEngine(model_path=path, adapter_path=adapter, use_4bit=load_in_4bit, max_new_tokens=max_new_tokens)
