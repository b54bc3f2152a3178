"""Settings of the AI features: media transcription and the built-in assistant.

Imported by ``config.settings``; see docs/TRANSCRIPTION.md and docs/ASSISTANT.md.
"""

from config.env import env

# --- OpenAI / transcription ----------------------------------------------
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="")
# Organizations override models and prompts in Organization.transcription_settings
# (audioModel, visionModel, audioPrompt, imagePrompt, pdfPrompt). See docs/TRANSCRIPTION.md.
TRANSCRIPTION_AUDIO_MODEL = env.str("TRANSCRIPTION_AUDIO_MODEL", default="whisper-1")
TRANSCRIPTION_VISION_MODEL = env.str("TRANSCRIPTION_VISION_MODEL", default="gpt-4o-mini")
TRANSCRIPTION_AUDIO_PROMPT = env.str("TRANSCRIPTION_AUDIO_PROMPT", default="")
TRANSCRIPTION_IMAGE_PROMPT = env.str(
    "TRANSCRIPTION_IMAGE_PROMPT",
    default=(
        "Descreva esta imagem de forma objetiva, em português do Brasil, para um atendente "
        "que não pode vê-la. Se houver texto visível (documentos, prints, placas, etiquetas), "
        "transcreva-o exatamente como aparece, depois de 'Texto visível:'."
    ),
)
TRANSCRIPTION_PDF_PROMPT = env.str(
    "TRANSCRIPTION_PDF_PROMPT",
    default=(
        "Estas são páginas digitalizadas de um documento PDF. Transcreva todo o texto visível, "
        "na ordem de leitura, em português do Brasil quando houver dúvida. Descreva brevemente "
        "tabelas, carimbos ou assinaturas que não sejam texto."
    ),
)
TRANSCRIPTION_VISION_MAX_TOKENS = env.int("TRANSCRIPTION_VISION_MAX_TOKENS", default=1000)
# Largest media we download per message kind. WhatsApp's own limits as defaults
# (Cloud API "Supported media types": audio/video 16 MB, images 5 MB, documents
# 100 MB, animated stickers 500 KB).
TRANSCRIPTION_MAX_BYTES = {
    "audio": env.int("TRANSCRIPTION_MAX_AUDIO_BYTES", default=16 * 1024 * 1024),
    "voice": env.int("TRANSCRIPTION_MAX_AUDIO_BYTES", default=16 * 1024 * 1024),
    "video": env.int("TRANSCRIPTION_MAX_VIDEO_BYTES", default=16 * 1024 * 1024),
    "image": env.int("TRANSCRIPTION_MAX_IMAGE_BYTES", default=5 * 1024 * 1024),
    "sticker": env.int("TRANSCRIPTION_MAX_STICKER_BYTES", default=500 * 1024),
    "document": env.int("TRANSCRIPTION_MAX_DOCUMENT_BYTES", default=100 * 1024 * 1024),
}
TRANSCRIPTION_PDF_MAX_PAGES = env.int("TRANSCRIPTION_PDF_MAX_PAGES", default=50)
# Scanned PDFs: at most this many pages' images go to the vision model.
TRANSCRIPTION_PDF_VISION_MAX_PAGES = env.int("TRANSCRIPTION_PDF_VISION_MAX_PAGES", default=5)
TRANSCRIPTION_MAX_CHARS = env.int("TRANSCRIPTION_MAX_CHARS", default=20000)
TRANSCRIPTION_REQUEST_TIMEOUT = env.float("TRANSCRIPTION_REQUEST_TIMEOUT", default=240)
TRANSCRIPTION_FFMPEG_TIMEOUT = env.float("TRANSCRIPTION_FFMPEG_TIMEOUT", default=180)
# Transient failures (timeouts, 429, 5xx) retry after backoff * 2**(attempt-1)
# seconds, capped; a message gets at most MAX_ATTEMPTS tries, then FAILED.
TRANSCRIPTION_MAX_ATTEMPTS = env.int("TRANSCRIPTION_MAX_ATTEMPTS", default=6)
TRANSCRIPTION_RETRY_BACKOFF = env.int("TRANSCRIPTION_RETRY_BACKOFF", default=15)
TRANSCRIPTION_RETRY_BACKOFF_MAX = env.int("TRANSCRIPTION_RETRY_BACKOFF_MAX", default=600)
TRANSCRIPTION_TASK_TIME_LIMIT = env.int("TRANSCRIPTION_TASK_TIME_LIMIT", default=900)
# PENDING rows untouched this long lost their task (Redis flushed, enqueue
# lost): the sweeper queues them again. Must exceed RETRY_BACKOFF_MAX.
TRANSCRIPTION_STALE_PENDING_SECONDS = env.int("TRANSCRIPTION_STALE_PENDING_SECONDS", default=900)
TRANSCRIPTION_TMP_DIR = env.str("TRANSCRIPTION_TMP_DIR", default="") or None
# Cached model answers (transcripts of customers' media) are kept this long:
# long enough for a file forwarded around to cost one call, no longer.
TRANSCRIPTION_CACHE_RETENTION_DAYS = env.int("TRANSCRIPTION_CACHE_RETENTION_DAYS", default=30)

# --- Built-in assistant (docs/ASSISTANT.md) ----------------------------------
ASSISTANT_DEFAULT_MODEL = env.str("ASSISTANT_DEFAULT_MODEL", default="gpt-4o-mini")
ASSISTANT_REQUEST_TIMEOUT = env.float("ASSISTANT_REQUEST_TIMEOUT", default=60)
# Timeouts, 429 and 5xx are tried again after these waits (seconds); other
# 4xx answers are permanent. Then the assistant hands off to a person.
ASSISTANT_RETRY_BACKOFF_SECONDS = [
    float(s) for s in env.list("ASSISTANT_RETRY_BACKOFF_SECONDS", default=["2", "8"])
]
ASSISTANT_MAX_TOOL_ROUNDS = env.int("ASSISTANT_MAX_TOOL_ROUNDS", default=3)
ASSISTANT_KNOWLEDGE_TOP_K = env.int("ASSISTANT_KNOWLEDGE_TOP_K", default=4)
ASSISTANT_CHUNK_CHARS = env.int("ASSISTANT_CHUNK_CHARS", default=1200)
ASSISTANT_DOCUMENT_MAX_BYTES = env.int("ASSISTANT_DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)
# Default of a new assistant's daily token budget (the organization's total).
ASSISTANT_DAILY_TOKEN_BUDGET = env.int("ASSISTANT_DAILY_TOKEN_BUDGET", default=500_000)
ASSISTANT_TASK_TIME_LIMIT = env.int("ASSISTANT_TASK_TIME_LIMIT", default=300)
