"""Personal information: validated, encrypted at rest, indexed blindly, masked when shown."""
import base64
import datetime
import hashlib
import hmac
import logging

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import UserFactory
from gonghui.core import crypto
from gonghui.core.logging import ScrubPiiFilter
from gonghui.core.masking import mask_id_number, mask_name, mask_phone, scrub_pii
from gonghui.core.validators import InvalidIdentifier, id_check_character, id_number_generate, normalize_mobile, parse_id_number

ID = id_number_generate(region_code="440106", birth_date=datetime.date(1990, 1, 1), sequence=123)
PHONE = "13812345678"
NEW_KEY = "rot2:" + "cm90YXRpb24ta2V5LW1hdGVyaWFsLWF0LWxlYXN0LTMyLWJ5dGVzIQ=="


class TestIdNumber:
    def test_valid_number_gives_birth_date_and_gender(self):
        parsed = parse_id_number(ID.lower())
        assert parsed.value == ID and parsed.birth_date == datetime.date(1990, 1, 1)
        assert parsed.gender == "male" and parsed.region_code == "440106"
        female = id_number_generate(region_code="440106", birth_date=datetime.date(2000, 2, 29), sequence=124)
        assert parse_id_number(female).gender == "female"

    def test_the_published_sample_number_passes(self):
        assert parse_id_number("11010519491231002X").birth_date == datetime.date(1949, 12, 31)

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            (ID[:-1] + ("0" if ID[-1] != "0" else "1"), "校验位"),
            ("440106199002301230", "出生日期无效"),
            ("990106199001011230", "省级行政区划"),
            (ID[:17], "应为18位"),
            (4.40106199001011e17, "转成了数字"),
            ("44010619900101123Y", "前17位应为数字"),
            (ID[:14] + "１" + ID[15:], "前17位应为数字"),  # a full-width digit, as some input methods type
            (ID[:14] + "²" + ID[15:], "前17位应为数字"),
        ],
    )
    def test_bad_numbers_are_refused_with_a_reason(self, value, message):
        with pytest.raises(InvalidIdentifier, match=message):
            parse_id_number(value)

    def test_the_check_character_follows_gb_11643(self):
        weights = [2 ** (17 - i) % 11 for i in range(17)]  # the standard's definition of the weights
        for number in (ID, "11010519491231002X", id_number_generate(region_code="440300", birth_date=datetime.date(1985, 7, 9), sequence=7)):
            total = sum(int(digit) * weight for digit, weight in zip(number[:17], weights, strict=True))
            assert id_check_character(number[:17]) == "10X98765432"[total % 11] == number[17]

    def test_future_birth_date_is_refused(self):
        future = id_number_generate(region_code="440106", birth_date=datetime.date(2030, 1, 1), sequence=1)
        with pytest.raises(InvalidIdentifier, match="合理范围"):
            parse_id_number(future, today=datetime.date(2026, 11, 26))

    def test_mobile_numbers(self):
        assert normalize_mobile("+86 138-1234-5678") == PHONE
        for bad in ("1381234567", "12812345678", "abc", "１３８１２３４５６７８"):
            with pytest.raises(InvalidIdentifier, match="手机号格式不正确"):
                normalize_mobile(bad)


def test_masks():
    assert mask_id_number("440106199001011234") == "4401**********1234"
    assert mask_phone(PHONE) == "138****5678"
    assert (mask_name("张三"), mask_name("张小三"), mask_name("欧阳小明")) == ("张*", "张*三", "欧**明")
    assert scrub_pii(f"id={ID} phone={PHONE} order=2026112612345678901") == (
        f"id={mask_id_number(ID)} phone=138****5678 order=2026112612345678901"
    )


class TestBulkHelpers:
    def test_the_blind_index_is_plain_hmac_sha256_of_purpose_and_value(self):
        key = crypto.keyring().index_key
        expected = hmac.new(key, b"person_id\x00440106199001011230", hashlib.sha256).hexdigest()
        assert crypto.blind_index("440106199001011230", purpose="person_id") == expected
        assert crypto.blind_indexer(purpose="person_id")("440106199001011230") == expected
        assert crypto.blind_index("440106199001011230", purpose="phone") != expected

    def test_a_long_index_key_is_hashed_first_as_hmac_does(self, settings):
        long_key = base64.b64encode(b"k" * 100).decode()
        settings.PII_INDEX_KEY = long_key
        expected = hmac.new(b"k" * 100, b"p\x00v", hashlib.sha256).hexdigest()
        assert crypto.blind_indexer(purpose="p")("v") == expected

    @pytest.mark.parametrize("algorithm", [crypto.AES_GCM, crypto.SM4_GCM])
    def test_a_bulk_encryptor_writes_what_decrypt_reads(self, algorithm):
        seal = crypto.encryptor(aad="members.person.name", algorithm=algorithm)
        first, second = seal("张三"), seal("张三")
        assert first != second  # a fresh nonce each time
        assert crypto.decrypt(first, aad="members.person.name") == crypto.decrypt(second, aad="members.person.name") == "张三"
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(first, aad="members.person.phone")

    def test_nonces_drawn_ahead_never_repeat_across_refills(self):
        seal = crypto.encryptor(aad="members.person.name", nonces_ahead=8)
        nonces = {base64.b64decode(seal("张三").rsplit(":", 1)[1])[:crypto.NONCE_BYTES] for _ in range(100)}
        assert len(nonces) == 100
        with pytest.raises(ValueError):
            crypto.encryptor(aad="members.person.name", nonces_ahead=0)


@pytest.mark.django_db
class TestEncryptedFields:
    def raw(self, user, column):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {column} FROM accounts_user WHERE id = %s", [user.pk])
            return cursor.fetchone()[0]

    def test_the_raw_row_holds_no_plaintext(self):
        user = UserFactory(phone=PHONE, id_number=ID)
        raw_phone, raw_id = self.raw(user, "phone"), self.raw(user, "id_number")
        assert PHONE not in raw_phone and ID not in raw_id
        assert raw_phone.startswith("enc1:A256GCM:demo1:")
        # the ciphertext itself, not its base64 text (in which any three digits may turn up by chance), holds no plaintext
        assert PHONE.encode() not in base64.b64decode(raw_phone.rsplit(":", 1)[1])
        assert PHONE not in self.raw(user, "phone_index") and ID not in self.raw(user, "id_number_index")
        user = User.objects.get(pk=user.pk)
        assert (user.phone, user.id_number) == (PHONE, ID)

    def test_exact_lookup_and_uniqueness_go_through_the_blind_index(self):
        user = UserFactory(phone=PHONE)
        field = User._meta.get_field("phone_index")
        assert User.objects.get(phone_index=field.index_for("+86 138 1234 5678")) == user
        with pytest.raises(FieldError, match="盲索引"):
            User.objects.filter(phone=PHONE).exists()
        with pytest.raises(IntegrityError), transaction.atomic():
            UserFactory(phone="138-1234-5678")

    def test_same_value_encrypts_differently_each_time(self):
        assert crypto.encrypt(PHONE, aad="x") != crypto.encrypt(PHONE, aad="x")

    def test_a_ciphertext_moved_to_another_column_does_not_decrypt(self):
        token = crypto.encrypt(PHONE, aad="accounts.user.phone")
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(token, aad="accounts.user.id_number")

    def test_rotation_re_encrypts_every_value_and_keeps_them_readable(self, settings):
        users = [UserFactory(phone=f"1391234{i:04d}", id_number=id_number_generate(
            region_code="440104", birth_date=datetime.date(1985, 5, 5), sequence=i)) for i in range(7)]
        settings.PII_KEYS = f"{settings.PII_KEYS},{NEW_KEY}"
        settings.PII_ACTIVE_KEY_ID = "rot2"
        call_command("rotate_pii_keys", batch_size=3, stdout=open("/dev/null", "w"))
        for user in users:
            assert ":rot2:" in self.raw(user, "phone") and ":rot2:" in self.raw(user, "id_number")
        settings.PII_KEYS = NEW_KEY  # the old key is gone: everything still reads
        assert [User.objects.get(pk=u.pk).phone for u in users] == [u.phone for u in users]

    def test_sm4_values_still_decrypt_after_switching_back_to_aes(self, settings):
        settings.PII_ALGORITHM = crypto.SM4_GCM
        user = UserFactory(phone=PHONE, id_number=ID)
        assert self.raw(user, "phone").startswith("enc1:SM4GCM:demo1:")
        settings.PII_ALGORITHM = crypto.AES_GCM
        user = User.objects.get(pk=user.pk)
        assert (user.phone, user.id_number) == (PHONE, ID)
        call_command("rotate_pii_keys", stdout=open("/dev/null", "w"))
        assert self.raw(user, "phone").startswith("enc1:A256GCM:")
        assert User.objects.get(pk=user.pk).phone == PHONE

    def test_tampered_ciphertext_is_detected(self):
        token = crypto.encrypt(PHONE, aad="x")
        head, blob = token.rsplit(":", 1)
        flipped = blob[:-4] + ("AAAA" if blob[-4:] != "AAAA" else "BBBB")
        with pytest.raises(crypto.DecryptionError, match="篡改"):
            crypto.decrypt(f"{head}:{flipped}", aad="x")


def test_log_records_are_scrubbed():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "user %s phone %s", (ID, PHONE), None)
    ScrubPiiFilter().filter(record)
    assert record.getMessage() == f"user {mask_id_number(ID)} phone 138****5678"
