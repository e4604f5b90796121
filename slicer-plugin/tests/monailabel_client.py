"""A REST client written to MONAI Label's client contract (monailabel/client/client.py): the same endpoints, query
parameters, multipart fields and reply shapes, so that what passes here is what MONAI Label's own viewers send."""

from __future__ import annotations

import email.parser
import json
import mimetypes
from pathlib import Path
from urllib.parse import quote_plus

import requests


class MonaiLabelError(Exception):
    def __init__(self, status: int, body: str):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class MonaiLabelClient:
    def __init__(self, server_url: str, token: str | None = None):
        self.url = server_url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _check(self, response: requests.Response) -> requests.Response:
        if response.status_code != 200:
            raise MonaiLabelError(response.status_code, response.text)
        return response

    def info(self) -> dict:
        return self._check(requests.get(f"{self.url}/info/", headers=self.headers, timeout=60)).json()

    def datastore(self, output: str = "all") -> dict:
        return self._check(requests.get(f"{self.url}/datastore/?output={output}", headers=self.headers, timeout=60)).json()

    def next_sample(self, strategy: str, params: dict | None = None) -> dict:
        return self._check(requests.post(f"{self.url}/activelearning/{quote_plus(strategy)}", json=params or {},
                                         headers=self.headers, timeout=300)).json()

    def download_image(self, image_id: str, to: Path) -> Path:
        to.write_bytes(self._check(requests.get(f"{self.url}/datastore/image?image={quote_plus(image_id)}",
                                                headers=self.headers, timeout=120)).content)
        return to

    def download_label(self, image_id: str, to: Path, tag: str = "final") -> Path:
        to.write_bytes(self._check(requests.get(f"{self.url}/datastore/label?label={quote_plus(image_id)}&tag={tag}",
                                                headers=self.headers, timeout=120)).content)
        return to

    def infer(self, model: str, image_id: str, params: dict) -> tuple[bytes, dict]:
        """POST /infer/{model}?image=ID with the form field "params"; the multipart reply's label file and params."""
        response = self._check(requests.post(f"{self.url}/infer/{quote_plus(model)}?image={quote_plus(image_id)}",
                                             files={"params": (None, json.dumps(params))}, headers=self.headers, timeout=300))
        return parse_multipart(response)

    def save_label(self, image_id: str, label_file: Path, tag: str = "final", params: dict | None = None) -> dict:
        with open(label_file, "rb") as label:
            files = {"params": (None, json.dumps(params or {})),
                     "label": (label_file.name, label, mimetypes.guess_type(label_file.name)[0] or "application/octet-stream")}
            return self._check(requests.put(f"{self.url}/datastore/label?image={quote_plus(image_id)}&tag={tag}",
                                            files=files, headers=self.headers, timeout=300)).json()

    def batch_infer(self, model: str, images: str = "all", params: dict | None = None, run_sync: bool = False) -> dict:
        """POST /batch/infer/{model}?images=...&run_sync=...: the JSON body is the params (label_tag, save_label); the
        task (background) or the result of each image (run_sync)."""
        return self._check(requests.post(f"{self.url}/batch/infer/{quote_plus(model)}?images={images}&run_sync={str(run_sync).lower()}",
                                         json=params or {}, headers=self.headers, timeout=3600)).json()

    def batch_infer_status(self, all: bool = False, check_if_running: bool = False) -> dict | list:
        return self._check(requests.get(f"{self.url}/batch/infer?all={str(all).lower()}&check_if_running={str(check_if_running).lower()}",
                                        headers=self.headers, timeout=60)).json()

    def batch_infer_stop(self) -> dict:
        return self._check(requests.delete(f"{self.url}/batch/infer", headers=self.headers, timeout=300)).json()


def parse_multipart(response: requests.Response) -> tuple[bytes, dict]:
    """The label file and the params of a multipart/form-data reply (what MONAI Label's client reads)."""
    message = email.parser.BytesParser().parsebytes(
        b"Content-Type: " + response.headers["content-type"].encode() + b"\r\n\r\n" + response.content)
    label, params = None, None
    for part in message.get_payload():
        if part.get_filename():
            label = part.get_payload(decode=True)
        elif part.get_param("name", header="content-disposition") == "params":
            params = json.loads(part.get_payload(decode=True))
    assert label is not None and params is not None, "the reply lacks the label file or the params"
    return label, params
