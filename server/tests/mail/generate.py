#!/usr/bin/env python3
"""Writes the mail corpus the intake tests read (server/tests/mail/*.eml).

Each message is built the way mail clients still send it: subject and attachment names as
RFC 2047 encoded words or RFC 2231 parameters in the message's own charset, the body in that
charset with the transfer encoding those clients pick. Run it again after changing a case;
the files are committed so the tests never depend on Python.
"""
import base64
import email.charset
import email.header
import pathlib
import quopri

HERE = pathlib.Path(__file__).parent
FROM = "Ana Cliente <cliente@demo.test>"

# (file, charset, subject, body, attachment name, name style, body transfer encoding)
CHARSETS = [
    ("gb2312", "gb2312", "打印机无法打印", "我们的打印机从今天早上开始无法打印。", "错误日志.txt", "2047", "base64"),
    ("gbk", "gbk", "服务器宕机了", "邮件服务器从昨天晚上开始没有响应。", "截图.txt", "2047", "base64"),
    ("gb18030", "gb18030", "无法登录门户", "输入密码后页面一直显示错误。", "日志.txt", "2231", "base64"),
    ("big5", "big5", "無法連線到伺服器", "今天早上開始無法連線到檔案伺服器。", "錯誤報告.txt", "2047", "base64"),
    ("euc-kr", "euc_kr", "프린터 오류", "오늘 아침부터 프린터가 작동하지 않습니다.", "오류 보고서.txt", "2047", "base64"),
    ("iso-2022-jp", "iso2022_jp", "プリンターが動きません", "今朝からプリンターが動きません。", "エラー.txt", "2047", "7bit"),
    ("shift_jis", "shift_jis", "メールが届きません", "昨日からメールが届きません。確認してください。", "ログ.txt", "2047", "base64"),
    ("koi8-r", "koi8_r", "Не работает принтер", "С утра не работает принтер в бухгалтерии.", "журнал.txt", "2047", "8bit"),
    ("windows-1251", "cp1251", "Ошибка входа в систему", "После смены пароля не могу войти.", "ошибка.txt", "2231", "quoted-printable"),
    ("windows-1252", "cp1252", "Contraseña bloqueada – urgente", "No puedo entrar desde el lunes… ¿Pueden ayudarme?", "captura–pantalla.txt", "2047", "quoted-printable"),
    ("windows-1250", "cp1250", "Chyba tiskárny", "Tiskárna v účtárně nefunguje.", "chyba_tiskárny.txt", "2047", "quoted-printable"),
    ("iso-8859-1", "latin-1", "Configuración de correo", "La configuración del correo en el teléfono falla.", "configuración.txt", "2231", "quoted-printable"),
    ("iso-8859-2", "iso8859_2", "Błąd drukarki", "Drukarka w księgowości nie działa.", "błąd.txt", "2047", "quoted-printable"),
    ("iso-8859-15", "iso8859_15", "Factura de 100 €", "La factura de 100 € no aparece en el portal.", "factura_€.txt", "2047", "quoted-printable"),
]


def encoded_word(text: str, charset: str, codec: str) -> str:
    raw = text.encode(codec)
    return f"=?{charset}?B?{base64.b64encode(raw).decode()}?="


def body_part(text: str, charset: str, codec: str, cte: str) -> str:
    raw = text.encode(codec)
    if cte == "base64":
        payload = base64.encodebytes(raw).decode()
    elif cte == "quoted-printable":
        payload = quopri.encodestring(raw).decode()
    else:  # 7bit (ISO-2022-JP is 7-bit by design) or 8bit: the bytes themselves
        payload = raw.decode("latin-1")
    return (
        f"Content-Type: text/plain; charset=\"{charset}\"\r\n"
        f"Content-Transfer-Encoding: {cte}\r\n\r\n{payload}\r\n"
    )


def attachment_part(name: str, charset: str, codec: str, style: str) -> str:
    if style == "2231":
        pct = "".join(f"%{b:02X}" for b in name.encode(codec))
        disposition = f"attachment; filename*={charset}''{pct}"
        ctype = "text/plain"
    else:
        word = encoded_word(name, charset, codec)
        disposition = f"attachment; filename=\"{word}\""
        ctype = f"text/plain; name=\"{word}\""
    content = base64.encodebytes(b"linea 1: error\n").decode()
    return (
        f"Content-Type: {ctype}\r\nContent-Disposition: {disposition}\r\n"
        f"Content-Transfer-Encoding: base64\r\n\r\n{content}\r\n"
    )


def charset_message(key, charset, codec, subject, body, name, style, cte) -> bytes:
    boundary = f"=_corpus_{key}"
    text = (
        f"From: {FROM}\r\nTo: soporte@any2cloud.com\r\n"
        f"Subject: {encoded_word(subject, charset, codec)}\r\n"
        f"Message-ID: <corpus-{key}@demo.test>\r\n"
        "Date: Thu, 26 Nov 2026 10:00:00 -0600\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n"
        f"--{boundary}\r\n{body_part(body, charset, codec, cte)}"
        f"--{boundary}\r\n{attachment_part(name, charset, codec, style)}"
        f"--{boundary}--\r\n"
    )
    return text.encode("latin-1")


def delivery_report() -> bytes:
    """An Exchange non-delivery report for one of the portal's own notifications."""
    b = "=_ndr"
    return (
        "From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@demo.test>\r\n"
        "To: soporte@any2cloud.com\r\nSubject: Undeliverable: [T-00001] Recibimos su solicitud\r\n"
        "Message-ID: <corpus-ndr@demo.test>\r\nDate: Thu, 26 Nov 2026 10:05:00 -0600\r\n"
        "MIME-Version: 1.0\r\n"
        f"Content-Type: multipart/report; report-type=delivery-status; boundary=\"{b}\"\r\n\r\n"
        f"--{b}\r\nContent-Type: text/plain; charset=\"us-ascii\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        "Delivery has failed to these recipients or groups:=0D=0A=0D=0Anadie@demo.test=0D=0AThe e=\r\n"
        "mail address you entered couldn't be found.\r\n"
        f"--{b}\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns;mail.demo.test\r\n\r\nFinal-recipient: RFC822; nadie@demo.test\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n\r\n"
        f"--{b}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        "From: Any2cloud Portal <soporte@any2cloud.com>\r\nTo: nadie@demo.test\r\n"
        "Subject: [T-00001] Recibimos su solicitud\r\nMessage-ID: <outbox-{OUTBOX_ID}@portal.any2cloud.com>\r\n\r\n"
        f"--{b}--\r\n"
    ).encode()


def read_receipt() -> bytes:
    """A disposition notification (read receipt) from a customer's client."""
    b = "=_mdn"
    return (
        f"From: {FROM}\r\nTo: soporte@any2cloud.com\r\nSubject: Leído: [T-00001] Recibimos su solicitud\r\n"
        "Message-ID: <corpus-mdn@demo.test>\r\nDate: Thu, 26 Nov 2026 10:06:00 -0600\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: multipart/report; report-type=disposition-notification; boundary=\"{b}\"\r\n\r\n"
        f"--{b}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nEl mensaje fue leído.\r\n"
        f"--{b}\r\nContent-Type: message/disposition-notification\r\n\r\n"
        "Reporting-UA: Outlook\r\nFinal-Recipient: rfc822;cliente@demo.test\r\n"
        "Disposition: manual-action/MDN-sent-manually; displayed\r\n\r\n"
        f"--{b}--\r\n"
    ).encode()


def main():
    for case in CHARSETS:
        (HERE / f"charset-{case[0]}.eml").write_bytes(charset_message(case[0], case[0], *case[1:]))
    (HERE / "report-delivery.eml").write_bytes(delivery_report())
    (HERE / "report-disposition.eml").write_bytes(read_receipt())


if __name__ == "__main__":
    main()
