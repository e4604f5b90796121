using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Oaims.Service.Tests;

/// <summary>A self-signed certificate for 127.0.0.1 written as PEM files, for the TLS tests.</summary>
public static class TestCertificates
{
    public static (string CertificatePath, string KeyPath, X509Certificate2 Certificate) SelfSigned(string folder)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        string certificatePath = Path.Combine(folder, "cert.pem"), keyPath = Path.Combine(folder, "key.pem");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, rsa.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath, certificate);
    }
}
