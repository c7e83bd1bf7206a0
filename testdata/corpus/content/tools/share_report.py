"""Shares the quarterly report with the auditors."""
import boto3

s3 = boto3.client("s3")


def share(key: str, seconds: int = 3600) -> str:
    return s3.generate_presigned_url(
        "get_object", Params={"Bucket": "corp-reports", "Key": key}, ExpiresIn=seconds
    )


# Link sent to the auditors on 2024-04-02 (valid one week):
# https://corp-reports.s3.eu-west-1.amazonaws.com/q1-2024.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%%FAKE:akia:reports-share%%%2F20240402%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20240402T091500Z&X-Amz-Expires=604800&X-Amz-SignedHeaders=host&X-Amz-Signature=4c1b8e2f9a7d6c5b3e0f1a2d4c6b8e0f1a3c5e7b9d2f4a6c8e0b2d4f6a8c0e2b
# Preview link for the dashboard (one hour):
# https://corp-reports.s3.eu-west-1.amazonaws.com/preview.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%%FAKE:asia:dash-preview%%%2F20240402%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20240402T100000Z&X-Amz-Expires=3600&X-Amz-Security-Token=IQoJb3JpZ2luX2VjEFAKEsessiontokenFORTESTS&X-Amz-SignedHeaders=host&X-Amz-Signature=9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d
# GCS link for the data room (15 minutes):
# https://storage.googleapis.com/corp-dataroom/deck.pdf?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=dataroom%40corp-prod-1a2b.iam.gserviceaccount.com%2F20240402%2Fauto%2Fstorage%2Fgoog4_request&X-Goog-Date=20240402T120000Z&X-Goog-Expires=900&X-Goog-SignedHeaders=host&X-Goog-Signature=1f2e3d4c5b6a79880a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071829304a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071829
