"""Moodle XML's embedded files: images come in as media, and go out embedded again."""

from __future__ import annotations

import base64

from app.formats import moodlexml
from app.media import sha256_of
from tests.factories import PNG_BYTES

PNG64 = base64.b64encode(PNG_BYTES).decode()


def _question(text: str, files: str, fmt: str = "html") -> bytes:
    return f"""<?xml version="1.0"?><quiz><question type="truefalse"><name><text>Map</text></name>
<questiontext format="{fmt}"><text><![CDATA[{text}]]></text>{files}</questiontext>
<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>
</question></quiz>""".encode()


def test_an_embedded_image_becomes_a_media_reference():
    data = _question(
        '<p>Is this Moscow? <img src="@@PLUGINFILE@@/moscow%20map.png" alt="map"></p>',
        f'<file name="moscow map.png" path="/" encoding="base64">{PNG64}</file>',
    )
    result = moodlexml.read(data, "quiz.xml")
    sha = sha256_of(PNG_BYTES)
    assert result.errors == [] and list(result.media) == [sha]
    assert (
        result.drafts[0].content["prompt"] == f"Is this Moscow? ![map](media:{sha}.png)"
    )


def test_files_of_other_types_and_missing_files_are_reported_not_kept():
    svg = base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'/>").decode()
    data = _question(
        '<img src="@@PLUGINFILE@@/a.svg"> and <img src="@@PLUGINFILE@@/gone.png"> here',
        f'<file name="a.svg" path="/" encoding="base64">{svg}</file>'
        '<file name="bad.png" path="/" encoding="base64">%%%not base64</file>',
    )
    result = moodlexml.read(data, "quiz.xml")
    assert result.media == {}
    assert result.drafts[0].content["prompt"] == "and here"
    said = " ".join(result.warnings)
    assert "'a.svg' is left out" in said and "'bad.png' is left out" in said
    assert "'gone.png' is used but not in the question" in said


def test_an_image_goes_out_embedded_and_comes_back_the_same():
    first = moodlexml.read(
        _question(
            '<img src="@@PLUGINFILE@@/m.png">',
            f'<file name="m.png" path="/" encoding="base64">{PNG64}</file>',
        ),
        "quiz.xml",
    )
    media = {item.sha256: item.data for item in first.media.values()}
    written = moodlexml.write(first.drafts, media=media.get)
    assert b"@@PLUGINFILE@@/" in written.data and b'encoding="base64"' in written.data
    again = moodlexml.read(written.data, "again.xml")
    assert again.errors == [] and list(again.media) == list(media)
    assert again.drafts[0].content["prompt"] == first.drafts[0].content["prompt"]
    without = moodlexml.write(first.drafts)
    assert any("not in the media store" in note for note in without.notes)
